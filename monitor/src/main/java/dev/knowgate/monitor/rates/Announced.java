package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;

import java.time.Instant;

/**
 * A version as announced on the models topic: what the monitor keeps of it (not its files).
 *
 * @param seenAt when the announcement was recorded (its record's timestamp)
 * @param round  the training round that produced it; null for a base
 */
public record Announced(long version, Long parent, Instant createdAt, Instant seenAt, RoundSummary round) {

    public static Announced of(ModelVersion v, Instant seenAt) {
        return new Announced(v.version(), v.parent(), v.createdAt(), seenAt, v.round());
    }

    /** A base has no parent: it is the baseline, never gated. */
    public boolean isBase() {
        return parent == null;
    }
}
