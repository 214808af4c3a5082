package dev.knowgate.categorize.stream;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Deletes from the verdicts store the histories whose newest verdict is older than the retention
 * (and from the quarantine store the examples quarantined before it),
 * on a wall-clock schedule, inside the task's transaction (the deletes reach the changelog as
 * tombstones, so compaction frees the topic too). It reads no records; it is wired beside the
 * micro-batcher only to share its task and store.
 */
final class VerdictSweeper implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = Logger.getLogger(VerdictSweeper.class);
    /** Deletes per sweep: bounds the work one punctuation adds to a transaction; the rest waits. */
    static final int MAX_DELETES_PER_SWEEP = 10_000;

    private final VerdictRetention retention;
    private final CategorizeMetrics metrics;
    private KeyValueStore<String, VerdictHistory> verdicts;
    private KeyValueStore<String, QuarantinedExample> quarantine;

    VerdictSweeper(VerdictRetention retention, CategorizeMetrics metrics) {
        this.retention = retention;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        verdicts = context.getStateStore(CategorizeTopology.VERDICT_STORE);
        quarantine = context.getStateStore(CategorizeTopology.QUARANTINE_STORE);
        context.schedule(retention.sweepEvery(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        // Records are the micro-batcher's; this processor only sweeps.
    }

    void sweep(long nowMs) {
        long cutoff = nowMs - retention.keep().toMillis();
        List<String> expired = expired(verdicts, history -> newest(history) < cutoff);
        expired.forEach(verdicts::delete); // after the iterator: no deletes under an open RocksDB iterator
        if (!expired.isEmpty()) {
            metrics.verdictsExpired(expired.size());
            LOG.debugf("removed %d verdict histories older than %s", expired.size(), retention.keep());
        }
        // The quarantine store keeps an example as long as its verdicts are kept, no longer.
        List<String> released = expired(quarantine, q -> q.quarantinedAtMs() < cutoff);
        released.forEach(quarantine::delete);
    }

    /**
     * The keys of a store whose values are past the retention, at most {@link #MAX_DELETES_PER_SWEEP}:
     * collected first, deleted after (no deletes under an open RocksDB iterator).
     */
    static <V> List<String> expired(KeyValueStore<String, V> store, Predicate<V> past) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            while (it.hasNext() && keys.size() < MAX_DELETES_PER_SWEEP) {
                KeyValue<String, V> e = it.next();
                if (past.test(e.value)) {
                    keys.add(e.key);
                }
            }
        }
        return keys;
    }

    private static long newest(VerdictHistory history) {
        return history.verdicts().stream().mapToLong(v -> v.verdict().computedAt().toEpochMilli()).max().orElse(Long.MIN_VALUE);
    }
}
