package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.json.JsonSerde;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.flagging.ConditionState;
import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.monitor.flagging.ProbeFlagger;
import dev.knowgate.monitor.rates.LineageProbes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The monitor's topology: two flows, each re-keyed by lineage (model name) so that one task sees
 * all of a lineage's data.
 * <pre>
 * probes.results ──by model──> ProbeResultsProcessor [lineage-probes, probe-alerts] ──> alerts
 * examples.categorized ──by model──> IncomingMixProcessor [mix-windows, mix-state, mix-alerts] ──> alerts
 * </pre>
 */
public final class MonitorTopology {

    public static final String LINEAGE_STORE = "lineage-probes";
    public static final String PROBE_ALERT_STORE = "probe-alerts";
    public static final String MIX_STORE = "mix-windows";
    public static final String MIX_STATE_STORE = "mix-state";
    public static final String MIX_ALERT_STORE = "mix-alerts";

    private MonitorTopology() {
    }

    public static Topology build(long baselineVersion, FlagSettings flags, CusumSettings cusum) {
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LINEAGE_STORE), Serdes.String(),
                JsonSerde.of(LineageProbes.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROBE_ALERT_STORE), Serdes.String(),
                JsonSerde.of(ConditionState.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MIX_STORE), Serdes.String(),
                JsonSerde.of(MixWindow.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MIX_STATE_STORE), Serdes.String(),
                JsonSerde.of(MixState.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MIX_ALERT_STORE), Serdes.String(),
                JsonSerde.of(ConditionState.class)));
        Produced<String, Alert> toAlerts = Produced.with(Serdes.String(), JsonSerde.of(Alert.class));

        ProbeFlagger flagger = new ProbeFlagger(flags);
        b.stream(Topics.PROBES_RESULTS.name(), Consumed.with(Serdes.String(), JsonSerde.of(ProbeResult.class)))
                .filter((k, v) -> v != null)
                .selectKey((k, v) -> v.model())
                .repartition(Repartitioned.<String, ProbeResult>as("probe-results-by-model")
                        .withKeySerde(Serdes.String()).withValueSerde(JsonSerde.of(ProbeResult.class)))
                .process(() -> new ProbeResultsProcessor(baselineVersion, flagger), LINEAGE_STORE, PROBE_ALERT_STORE)
                .to(Topics.ALERTS.name(), toAlerts);

        b.stream(Topics.EXAMPLES_CATEGORIZED.name(), Consumed.with(Serdes.String(), JsonSerde.of(CategorizedExample.class)))
                .filter((k, v) -> v != null)
                .selectKey((k, v) -> v.verdict().model())
                .repartition(Repartitioned.<String, CategorizedExample>as("categorized-by-model")
                        .withKeySerde(Serdes.String()).withValueSerde(JsonSerde.of(CategorizedExample.class)))
                .process(() -> new IncomingMixProcessor(cusum), MIX_STORE, MIX_STATE_STORE, MIX_ALERT_STORE)
                .to(Topics.ALERTS.name(), toAlerts);
        return b.build();
    }
}
