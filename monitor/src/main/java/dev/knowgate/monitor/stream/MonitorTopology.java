package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.kafka.JsonSerde;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.flagging.ConditionState;
import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.monitor.flagging.ProbeFlagger;
import dev.knowgate.monitor.gate.GateSettings;
import dev.knowgate.monitor.gate.PromotionGate;
import dev.knowgate.monitor.rates.LineageState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The monitor's topology: two flows, each re-keyed by lineage (model name) so that one task sees
 * all of a lineage's data.
 * <pre>
 * models ───────────┐
 * probes.results ───┼─by model──> LineageProcessor [lineage-probes, probe-alerts] ──> models.decisions, alerts
 * models.decisions ─┘
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

    /**
     * @param baselineVersion the lineage's base, every rate's reference
     * @param probesTotal     probes in the probe set: an evaluation is complete when all are answered
     */
    public static Topology build(long baselineVersion, int probesTotal, FlagSettings flags, GateSettings gate,
                                 CusumSettings cusum) {
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LINEAGE_STORE), Serdes.String(),
                JsonSerde.of(LineageState.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROBE_ALERT_STORE), Serdes.String(),
                JsonSerde.of(ConditionState.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MIX_STORE), Serdes.String(),
                JsonSerde.of(MixWindow.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MIX_STATE_STORE), Serdes.String(),
                JsonSerde.of(MixState.class)));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MIX_ALERT_STORE), Serdes.String(),
                JsonSerde.of(ConditionState.class)));
        Produced<String, Alert> toAlerts = Produced.with(Serdes.String(), JsonSerde.of(Alert.class));

        KStream<String, LineageEvent> announced = b.stream(Topics.MODELS.name(),
                        Consumed.with(Serdes.String(), JsonSerde.of(ModelVersion.class)))
                .filter((k, v) -> v != null).mapValues(LineageEvent::of);
        KStream<String, LineageEvent> results = b.stream(Topics.PROBES_RESULTS.name(),
                        Consumed.with(Serdes.String(), JsonSerde.of(ProbeResult.class)))
                .filter((k, v) -> v != null).mapValues(LineageEvent::of);
        KStream<String, LineageEvent> decisions = b.stream(Topics.MODELS_DECISIONS.name(),
                        Consumed.with(Serdes.String(), JsonSerde.of(ModelDecision.class)))
                .filter((k, v) -> v != null).mapValues(LineageEvent::of);
        ProbeFlagger flagger = new ProbeFlagger(flags);
        PromotionGate promotionGate = new PromotionGate(gate);
        announced.merge(results).merge(decisions)
                .selectKey((k, v) -> v.model())
                .repartition(Repartitioned.<String, LineageEvent>as("lineage-events-by-model")
                        .withKeySerde(Serdes.String()).withValueSerde(JsonSerde.of(LineageEvent.class)))
                .process(() -> new LineageProcessor(baselineVersion, probesTotal, flagger, promotionGate),
                        LINEAGE_STORE, PROBE_ALERT_STORE)
                .split()
                .branch((k, v) -> v instanceof ModelDecision, Branched.withConsumer(s -> s
                        .mapValues(v -> (ModelDecision) v)
                        .to(Topics.MODELS_DECISIONS.name(), Produced.with(Serdes.String(), JsonSerde.of(ModelDecision.class)))))
                .defaultBranch(Branched.withConsumer(s -> s.mapValues(v -> (Alert) v).to(Topics.ALERTS.name(), toAlerts)));

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
