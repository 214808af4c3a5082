package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.ExampleCategorizer;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.kafka.JsonSerde;
import dev.knowgate.contracts.topic.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * examples.submitted -> micro-batcher (validation, batching, SliCK, routing) -> examples.categorized,
 * examples.accepted | examples.quarantined, probes.results, examples.rejected; the verdicts store,
 * shared with a sweeper that applies its retention. Beside it, what became of each example goes to
 * submissions.outcomes, re-keyed by submission, and a second sub-topology counts it per submission.
 * Curators' decisions about quarantined examples (quarantine.decisions, co-partitioned with
 * examples.submitted) are applied in the micro-batcher's sub-topology, to its quarantine store:
 * released examples go to examples.released, amended ones back to examples.submitted.
 */
public final class CategorizeTopology {

    public static final String SOURCE_TOPIC = Topics.EXAMPLES_SUBMITTED.name();
    public static final String PENDING_STORE = "pending-examples";
    public static final String VERDICT_STORE = "verdicts";
    public static final String QUARANTINE_STORE = "quarantine";
    public static final String OUTCOMES_TOPIC = Topics.SUBMISSIONS_OUTCOMES.name();
    public static final String SUBMISSIONS_STORE = "submissions";
    public static final String SUBMISSION_EXAMPLES_STORE = "submission-examples";
    static final String SOURCE = "examples-submitted";
    static final String BATCHER = "micro-batcher";
    static final String SWEEPER = "verdicts-sweeper";
    static final String CATEGORIZED_SINK = "to-categorized";
    static final String ACCEPTED_SINK = "to-accepted";
    static final String QUARANTINED_SINK = "to-quarantined";
    static final String REJECTED_SINK = "to-rejected";
    static final String PROBE_RESULTS_SINK = "to-probe-results";
    static final String OUTCOMES_SINK = "to-submission-outcomes";
    static final String OUTCOMES_SOURCE = "submission-outcomes";
    static final String AGGREGATOR = "submission-aggregator";
    public static final String DECISIONS_TOPIC = Topics.QUARANTINE_DECISIONS.name();
    static final String DECISIONS_SOURCE = "quarantine-decisions";
    static final String DECIDER = "quarantine-decider";
    static final String RESUBMIT_SINK = "to-submitted";
    static final String RELEASED_SINK = "to-released";

    private CategorizeTopology() {
    }

    public static Topology build(BatchSettings batch, RoutingPolicy routing, ExampleCategorizer categorizer,
                                 CategorizeMetrics metrics) {
        return build(batch, routing, categorizer, metrics, VerdictRetention.DEFAULT);
    }

    public static Topology build(BatchSettings batch, RoutingPolicy routing, ExampleCategorizer categorizer,
                                 CategorizeMetrics metrics, VerdictRetention retention) {
        return build(batch, routing, categorizer, metrics, retention, QuarantineRecheck.OFF);
    }

    public static Topology build(BatchSettings batch, RoutingPolicy routing, ExampleCategorizer categorizer,
                                 CategorizeMetrics metrics, VerdictRetention retention, QuarantineRecheck recheck) {
        StringSerializer keys = new StringSerializer();
        // One per instance: batches fill across its stream tasks; or one per task.
        SharedBatches shared = batch.acrossTasks() ? new SharedBatches() : null;
        return new Topology()
                .addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), SOURCE_TOPIC)
                .addProcessor(BATCHER, () -> new MicroBatcher(batch, routing, categorizer, metrics, recheck,
                        shared != null ? shared : new SharedBatches()), SOURCE)
                .addProcessor(SWEEPER, () -> new VerdictSweeper(retention, metrics), SOURCE)
                .addSource(DECISIONS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), DECISIONS_TOPIC)
                .addProcessor(DECIDER, () -> new QuarantineDecider(metrics), DECISIONS_SOURCE)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE),
                        Serdes.String(), JsonSerde.of(PendingExample.class)), BATCHER)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VERDICT_STORE),
                        Serdes.String(), JsonSerde.of(VerdictHistory.class)), BATCHER, SWEEPER)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(QUARANTINE_STORE),
                        Serdes.String(), JsonSerde.of(QuarantinedExample.class)), BATCHER, SWEEPER, DECIDER)
                .addSink(CATEGORIZED_SINK, Topics.EXAMPLES_CATEGORIZED.name(), keys,
                        JsonSerde.of(CategorizedExample.class).serializer(), BATCHER)
                .addSink(ACCEPTED_SINK, Topics.EXAMPLES_ACCEPTED.name(), keys,
                        JsonSerde.of(CategorizedExample.class).serializer(), BATCHER)
                .addSink(RELEASED_SINK, Topics.EXAMPLES_RELEASED.name(), keys,
                        JsonSerde.of(CategorizedExample.class).serializer(), DECIDER)
                .addSink(RESUBMIT_SINK, SOURCE_TOPIC, keys, JsonSerde.of(Example.class).serializer(), DECIDER)
                .addSink(QUARANTINED_SINK, Topics.EXAMPLES_QUARANTINED.name(), keys,
                        JsonSerde.of(CategorizedExample.class).serializer(), BATCHER)
                .addSink(REJECTED_SINK, Topics.EXAMPLES_REJECTED.name(), keys,
                        JsonSerde.of(RejectedRecord.class).serializer(), BATCHER, DECIDER)
                .addSink(PROBE_RESULTS_SINK, Topics.PROBES_RESULTS.name(), keys,
                        JsonSerde.of(ProbeResult.class).serializer(), BATCHER)
                // Second sub-topology: what became of each example, re-keyed by submission and counted.
                .addSink(OUTCOMES_SINK, OUTCOMES_TOPIC, keys, JsonSerde.of(SubmissionOutcome.class).serializer(), BATCHER)
                .addSource(OUTCOMES_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), OUTCOMES_TOPIC)
                .addProcessor(AGGREGATOR, () -> new SubmissionAggregator(retention), OUTCOMES_SOURCE)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SUBMISSIONS_STORE),
                        Serdes.String(), JsonSerde.of(SubmissionStatus.class)), AGGREGATOR)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SUBMISSION_EXAMPLES_STORE),
                        Serdes.String(), JsonSerde.of(SubmissionOutcome.class)), AGGREGATOR);
    }
}
