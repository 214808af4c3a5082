package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.monitor.flagging.ConditionState;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.monitor.probing.ProbeProgress;
import dev.knowgate.monitor.probing.ProbeSet;
import dev.knowgate.monitor.rates.LineageState;
import dev.knowgate.monitor.rates.RateCalculator;
import dev.knowgate.monitor.rates.VersionRates;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the monitor's state stores (Kafka Streams interactive queries) for the REST API, the gauges
 * and the probe requester. One instance holds every lineage (they are few); with several
 * instances each answers for the lineages its tasks own.
 */
@ApplicationScoped
public class MonitorQueries implements ProbeProgress {

    /** Thrown while the stores are not queryable (starting, rebalancing). */
    public static final class NotReady extends RuntimeException {
        NotReady(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** GET /v1/alerts. */
    public record Alerts(List<Alert> active, List<Alert> resolved) {
    }

    private final KafkaStreams streams;
    private final MonitorConfig config;
    private final int probesTotal;

    @Inject
    public MonitorQueries(KafkaStreams streams, MonitorConfig config, ProbeSet probes) {
        this.streams = streams;
        this.config = config;
        this.probesTotal = probes.probes().size();
    }

    /** Rates and status of every version of every lineage, by lineage then version. */
    public List<VersionRates> versions() {
        List<VersionRates> out = new ArrayList<>();
        for (LineageState lineage : values(MonitorTopology.LINEAGE_STORE, LineageState.class)) {
            out.addAll(RateCalculator.rates(lineage, config.baselineVersion(), probesTotal));
        }
        return out;
    }

    /** One version's rates and status; empty when the monitor has neither seen it announced nor answered. */
    public java.util.Optional<VersionRates> version(String model, long version) {
        LineageState lineage = store(MonitorTopology.LINEAGE_STORE, LineageState.class).get(model);
        return lineage == null ? java.util.Optional.empty()
                : RateCalculator.rates(lineage, config.baselineVersion(), probesTotal).stream()
                .filter(r -> r.version() == version).findFirst();
    }

    /** Every decision, oldest first (GET /v1/decisions): the gate's and operators'. */
    public List<ModelDecision> decisions() {
        List<ModelDecision> out = new ArrayList<>();
        for (LineageState lineage : values(MonitorTopology.LINEAGE_STORE, LineageState.class)) {
            out.addAll(lineage.decisions());
        }
        out.sort(Comparator.comparing(ModelDecision::decidedAt));
        return out;
    }

    /** Active alerts (oldest first) and recently resolved ones (newest first), from every detector. */
    public Alerts alerts() {
        List<Alert> active = new ArrayList<>();
        List<Alert> resolved = new ArrayList<>();
        for (String store : List.of(MonitorTopology.PROBE_ALERT_STORE, MonitorTopology.MIX_ALERT_STORE)) {
            for (ConditionState s : values(store, ConditionState.class)) {
                if (s.active() != null) {
                    active.add(s.active());
                }
                resolved.addAll(s.resolved());
            }
        }
        active.sort(Comparator.comparing(Alert::firedAt));
        resolved.sort(Comparator.comparing(Alert::resolvedAt).reversed());
        return new Alerts(active, resolved);
    }

    /** The category mix of incoming examples per window, by lineage then window. */
    public List<MixWindow> mix() {
        return values(MonitorTopology.MIX_STORE, MixWindow.class); // keys sort by lineage, then window start
    }

    /** Whether a version already has at least {@code min} probe results; waits while the stores start. */
    @Override
    public boolean hasProbeResults(String model, long version, int min) {
        for (int attempt = 0; ; attempt++) {
            try {
                LineageState lineage = store(MonitorTopology.LINEAGE_STORE, LineageState.class).get(model);
                return lineage != null && lineage.version(version).map(v -> v.probes().size() >= min).orElse(false);
            } catch (NotReady | InvalidStateStoreException e) {
                if (attempt >= 120) {
                    return false;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private <V> List<V> values(String name, Class<V> type) {
        List<V> out = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store(name, type).all()) {
            while (it.hasNext()) {
                KeyValue<String, V> kv = it.next();
                out.add(kv.value);
            }
        } catch (InvalidStateStoreException e) {
            throw new NotReady("store " + name + " is not queryable yet (" + streams.state() + ")", e);
        }
        return out;
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Class<V> type) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new NotReady("store " + name + " is not queryable yet (" + streams.state() + ")", e);
        }
    }
}
