package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.monitor.flagging.AlertDecision;
import dev.knowgate.monitor.flagging.Condition;
import dev.knowgate.monitor.flagging.ConditionState;
import dev.knowgate.monitor.flagging.ProbeFlagger;
import dev.knowgate.monitor.gate.PromotionGate;
import dev.knowgate.monitor.rates.Announced;
import dev.knowgate.monitor.rates.LineageState;
import dev.knowgate.monitor.rates.RateCalculator;
import dev.knowgate.monitor.rates.VersionRates;
import dev.knowgate.monitor.rates.VersionStatus;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A lineage's life, keyed by its name: versions announced, probe results, decisions. After each
 * event its rates are recomputed; the promotion gate decides a candidate once its whole evaluation
 * is in (the decision goes to models.decisions); the detectors run, and alerts that fire, move to a
 * newer version or resolve go to the alerts topic. A wall-clock punctuation rejects candidates whose
 * evaluation stalls. Exactly-once: the store, the decisions, the alerts and the offsets commit
 * together, so a crash between an evaluation and its decision neither loses the decision nor makes
 * it twice.
 */
final class LineageProcessor implements Processor<String, LineageEvent, String, Object> {

    private static final Logger LOG = Logger.getLogger(LineageProcessor.class);
    static final Duration TIMEOUT_CHECK = Duration.ofSeconds(10);

    private final long baselineVersion;
    private final int probesTotal;
    private final ProbeFlagger flagger;
    private final PromotionGate gate;
    /** Wall-clock time of each candidate's last progress seen by this instance (a restart starts the clock again). */
    private final Map<String, Long> progress = new HashMap<>();
    private long startedAt;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, LineageState> lineages;
    private KeyValueStore<String, ConditionState> conditions;

    LineageProcessor(long baselineVersion, int probesTotal, ProbeFlagger flagger, PromotionGate gate) {
        this.baselineVersion = baselineVersion;
        this.probesTotal = probesTotal;
        this.flagger = flagger;
        this.gate = gate;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.lineages = context.getStateStore(MonitorTopology.LINEAGE_STORE);
        this.conditions = context.getStateStore(MonitorTopology.PROBE_ALERT_STORE);
        this.startedAt = context.currentSystemTimeMs();
        context.schedule(TIMEOUT_CHECK, PunctuationType.WALL_CLOCK_TIME, this::rejectStalled);
    }

    @Override
    public void process(Record<String, LineageEvent> record) {
        LineageEvent e = record.value();
        if (e == null) {
            return;
        }
        String model = e.model();
        LineageState lineage = Optional.ofNullable(lineages.get(model)).orElse(LineageState.empty(model));
        Instant at = Instant.ofEpochMilli(record.timestamp());
        if (e.announced() != null) {
            Announced a = Announced.of(e.announced(), at);
            lineage = lineage.with(a);
            touch(model, a.version());
            if (lineage.ledger().decision(model, a.version()).isEmpty()) {
                Optional<ModelDecision> d = gate.onAnnounced(model, a, at);
                if (d.isPresent()) {
                    lineage = decide(lineage, d.get(), record.timestamp());
                }
            }
            lineage = maybeDecide(lineage, a.version(), at, record.timestamp());
        } else if (e.result() != null) {
            lineage = lineage.with(e.result(), baselineVersion);
            touch(model, e.result().modelVersion());
            lineage = maybeDecide(lineage, e.result().modelVersion(), at, record.timestamp());
            if (e.result().modelVersion() == baselineVersion) {
                // The base finishing its evaluation after a candidate did: the candidate can be decided now.
                for (VersionRates r : rates(lineage)) {
                    if (r.status() == VersionStatus.CANDIDATE) {
                        lineage = maybeDecide(lineage, r.version(), at, record.timestamp());
                    }
                }
            }
        } else if (e.decision() != null) {
            lineage = lineage.with(e.decision());
        }
        lineages.put(model, lineage);
        flag(lineage, at, record.timestamp());
    }

    /** A candidate with its evaluation and the base's complete gets its decision. */
    private LineageState maybeDecide(LineageState lineage, long version, Instant at, long timestamp) {
        String model = lineage.model();
        Optional<Announced> a = lineage.announcement(version);
        if (a.isEmpty() || lineage.ledger().decision(model, version).isPresent()) {
            return lineage;
        }
        List<VersionRates> rates = rates(lineage);
        Optional<VersionRates> candidate = rates.stream().filter(r -> r.version() == version).findFirst();
        Optional<VersionRates> base = rates.stream().filter(r -> r.status() == VersionStatus.BASE).findFirst();
        if (candidate.isEmpty() || base.isEmpty()) {
            return lineage;
        }
        Optional<ModelDecision> d = gate.onResults(model, a.get(), candidate.get(), base.get(), at);
        return d.isPresent() ? decide(lineage, d.get(), timestamp) : lineage;
    }

    private LineageState decide(LineageState lineage, ModelDecision d, long timestamp) {
        LOG.infof("%s %s: %s", d.key(), d.status().wireName(), d.reason());
        context.forward(new Record<>(d.key(), d, timestamp));
        progress.remove(d.key());
        return lineage.with(d);
    }

    private void flag(LineageState lineage, Instant at, long timestamp) {
        for (Condition c : flagger.check(lineage.model(), rates(lineage))) {
            AlertDecision.Step step = AlertDecision.apply(conditions.get(c.key()), c, at);
            conditions.put(c.key(), step.state());
            step.publish().ifPresent(a -> context.forward(new Record<>(a.id(), a, timestamp)));
        }
    }

    private List<VersionRates> rates(LineageState lineage) {
        return RateCalculator.rates(lineage, baselineVersion, probesTotal);
    }

    private void touch(String model, long version) {
        progress.put(dev.knowgate.contracts.ModelVersion.keyOf(model, version), context.currentSystemTimeMs());
    }

    /** Candidates whose evaluation made no progress within the timeout are rejected. */
    private void rejectStalled(long now) {
        if (!gate.settings().enabled()) {
            return;
        }
        long timeout = gate.settings().evaluationTimeout().toMillis();
        List<LineageState> all = new java.util.ArrayList<>();
        try (KeyValueIterator<String, LineageState> it = lineages.all()) {
            it.forEachRemaining(kv -> all.add(kv.value));
        }
        for (LineageState lineage : all) {
            List<VersionRates> rates = rates(lineage);
            Optional<VersionRates> base = rates.stream().filter(r -> r.status() == VersionStatus.BASE).findFirst();
            LineageState next = lineage;
            for (VersionRates r : rates) {
                Optional<Announced> a = lineage.announcement(r.version());
                if (r.status() != VersionStatus.CANDIDATE || a.isEmpty() || a.get().isBase() || base.isEmpty()) {
                    continue;
                }
                long last = Math.max(startedAt, progress.getOrDefault(r.key(), startedAt));
                if (now - last >= timeout) {
                    next = decide(next, gate.timedOut(lineage.model(), a.get(), r, base.get(), Instant.ofEpochMilli(now)), now);
                }
            }
            if (next != lineage) {
                lineages.put(lineage.model(), next);
                flag(next, Instant.ofEpochMilli(now), now);
            }
        }
    }
}
