package dev.knowgate.categorize.stream;

import java.time.Duration;

/**
 * How long the verdicts store keeps an example's history: until its newest verdict is older than
 * {@code keep}, looked at every {@code sweepEvery}. Without it the store, and its changelog, would
 * grow with every example ever seen.
 */
public record VerdictRetention(Duration keep, Duration sweepEvery) {

    public static final VerdictRetention DEFAULT = new VerdictRetention(Duration.ofDays(30), Duration.ofHours(1));

    public VerdictRetention {
        if (keep.isNegative() || keep.isZero()) {
            throw new IllegalArgumentException("verdicts retention must be > 0, got " + keep);
        }
        if (sweepEvery.isNegative() || sweepEvery.isZero()) {
            throw new IllegalArgumentException("verdicts sweep-interval must be > 0, got " + sweepEvery);
        }
    }
}
