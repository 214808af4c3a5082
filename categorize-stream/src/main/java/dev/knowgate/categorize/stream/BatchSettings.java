package dev.knowgate.categorize.stream;

import java.time.Duration;

/**
 * When a micro-batch is categorized: once it holds {@code size} examples, or once its oldest has
 * waited {@code maxWait}. A probe naming a version never announced is rejected after {@code probeMaxWait}.
 * One flush (all that is pending, in batches, inside one Kafka transaction) stops starting batches
 * after {@code maxFlushTime}; the rest waits for the next turn. With {@code acrossTasks} a batch is
 * filled from every stream task of the instance ({@link SharedBatches}); without, from one task's.
 */
public record BatchSettings(int size, Duration maxWait, Duration probeMaxWait, Duration maxFlushTime,
                            boolean acrossTasks) {

    public BatchSettings {
        if (size < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + size);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("batch max-wait must be > 0, got " + maxWait);
        }
        if (probeMaxWait.isNegative() || probeMaxWait.isZero()) {
            throw new IllegalArgumentException("batch probe-max-wait must be > 0, got " + probeMaxWait);
        }
        if (maxFlushTime.isNegative() || maxFlushTime.isZero()) {
            throw new IllegalArgumentException("batch max-flush-time must be > 0, got " + maxFlushTime);
        }
    }

    public BatchSettings(int size, Duration maxWait, Duration probeMaxWait, Duration maxFlushTime) {
        this(size, maxWait, probeMaxWait, maxFlushTime, true);
    }

    public BatchSettings(int size, Duration maxWait, Duration probeMaxWait) {
        this(size, maxWait, probeMaxWait, Duration.ofSeconds(20));
    }

    public BatchSettings(int size, Duration maxWait) {
        this(size, maxWait, Duration.ofMinutes(10));
    }
}
