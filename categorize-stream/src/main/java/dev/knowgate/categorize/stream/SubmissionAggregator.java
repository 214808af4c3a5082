package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.json.ContractJson;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * submissions.outcomes (keyed by curator/submission) -> the submissions store (one
 * {@link SubmissionStatus} per submission) and the submission-examples store (each example's latest
 * outcome, keyed by {@link #exampleKey}, so one submission's examples are one prefix scan). Both are
 * changelogged and commit with the input offsets, so the counts are exactly-once. A submission whose
 * last outcome is older than the retention is removed, with its examples.
 */
public final class SubmissionAggregator implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = Logger.getLogger(SubmissionAggregator.class);
    /** Between a submission's key and an example id: neither can contain it (keys are lines and ids). */
    private static final String SEPARATOR = "\u0000";

    private final VerdictRetention retention;
    private KeyValueStore<String, SubmissionStatus> statuses;
    private KeyValueStore<String, SubmissionOutcome> examples;

    SubmissionAggregator(VerdictRetention retention) {
        this.retention = retention;
    }

    /** The submission-examples store's key of one example, and (with an empty id) its submission's prefix. */
    public static String exampleKey(String submissionKey, String exampleId) {
        return submissionKey + SEPARATOR + exampleId;
    }

    public static StringSerializer prefixSerializer() {
        return new StringSerializer();
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        statuses = context.getStateStore(CategorizeTopology.SUBMISSIONS_STORE);
        examples = context.getStateStore(CategorizeTopology.SUBMISSION_EXAMPLES_STORE);
        context.schedule(retention.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        // Only categorize-stream writes this topic; anything else is logged and skipped, never fatal.
        SubmissionOutcome outcome;
        try {
            outcome = record.value() == null ? null : ContractJson.read(record.value(), SubmissionOutcome.class);
        } catch (ContractViolation v) {
            LOG.warnf("skipping a record on %s that is not an outcome: %s", CategorizeTopology.OUTCOMES_TOPIC, v.getMessage());
            return;
        }
        if (outcome == null || !outcome.key().equals(record.key())) {
            LOG.warnf("skipping a record on %s whose key %s is not its outcome's", CategorizeTopology.OUTCOMES_TOPIC, record.key());
            return;
        }
        String exampleKey = exampleKey(record.key(), outcome.exampleId());
        SubmissionTally tally = SubmissionTally.of(statuses.get(record.key()), outcome);
        SubmissionOutcome latest = tally.add(examples.get(exampleKey), outcome);
        examples.put(exampleKey, latest);
        statuses.put(record.key(), tally.status());
    }

    void sweep(long nowMs) {
        long cutoff = nowMs - retention.keep().toMillis();
        List<String> expired = VerdictSweeper.expired(statuses, status -> status.lastAt().toEpochMilli() < cutoff);
        for (String key : expired) {
            List<String> rows = new ArrayList<>();
            try (KeyValueIterator<String, SubmissionOutcome> it = examples.prefixScan(exampleKey(key, ""), prefixSerializer())) {
                it.forEachRemaining(kv -> rows.add(kv.key));
            }
            rows.forEach(examples::delete);
            statuses.delete(key);
        }
        if (!expired.isEmpty()) {
            LOG.debugf("removed %d submissions older than %s", expired.size(), retention.keep());
        }
    }
}
