package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.monitor.flagging.AlertDecision;
import dev.knowgate.monitor.flagging.Condition;
import dev.knowgate.monitor.flagging.ConditionState;
import dev.knowgate.monitor.flagging.ProbeFlagger;
import dev.knowgate.monitor.rates.LineageProbes;
import dev.knowgate.monitor.rates.RateCalculator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;

/**
 * Probe results, keyed by lineage (model name): kept per version and probe in the lineage store;
 * after each result the lineage's rates are recomputed and its detectors run; alerts that fire or
 * resolve go to the alerts topic. Exactly-once: the stores and the alerts commit with the offsets.
 */
final class ProbeResultsProcessor implements Processor<String, ProbeResult, String, Alert> {

    private final long baselineVersion;
    private final ProbeFlagger flagger;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, LineageProbes> lineages;
    private KeyValueStore<String, ConditionState> conditions;

    ProbeResultsProcessor(long baselineVersion, ProbeFlagger flagger) {
        this.baselineVersion = baselineVersion;
        this.flagger = flagger;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.lineages = context.getStateStore(MonitorTopology.LINEAGE_STORE);
        this.conditions = context.getStateStore(MonitorTopology.PROBE_ALERT_STORE);
    }

    @Override
    public void process(Record<String, ProbeResult> record) {
        ProbeResult r = record.value();
        if (r == null) {
            return;
        }
        LineageProbes lineage = lineages.get(r.model());
        lineage = (lineage == null ? LineageProbes.empty(r.model()) : lineage).with(r, baselineVersion);
        lineages.put(r.model(), lineage);
        Instant now = Instant.ofEpochMilli(record.timestamp());
        for (Condition c : flagger.check(r.model(), RateCalculator.rates(lineage, baselineVersion))) {
            AlertDecision.Step step = AlertDecision.apply(conditions.get(c.key()), c, now);
            conditions.put(c.key(), step.state());
            step.publish().ifPresent(a -> context.forward(new Record<>(a.id(), a, record.timestamp())));
        }
    }
}
