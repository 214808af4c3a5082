package dev.knowgate.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The wait before retry n (1-based): {@code first x 2^(n-1)}, capped at {@code max}, with or without jitter. A
 * server's Retry-After replaces the computed wait, still capped at {@code max}, so a misbehaving server cannot park
 * a client for a day.
 *
 * @param first  the wait before the first retry (before jitter)
 * @param max    the longest wait, Retry-After included
 * @param jitter how much of each wait is random
 */
public record Backoff(Duration first, Duration max, Jitter jitter) {

    public enum Jitter {
        /** The computed wait exactly: for one client of a server, where waits are easier to read in a log. */
        NONE,
        /** Half the wait fixed, half random ("equal jitter"): many clients spread out, yet none retries at once. */
        EQUAL
    }

    private static final RandomGenerator NOT_RANDOM = () -> {
        throw new IllegalStateException("no randomness without jitter");
    };

    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(jitter, "jitter");
        if (first.isNegative() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= first <= max, got " + first + " and " + max);
        }
    }

    /** The wait before retry {@code retry} (1-based); {@code random} is only read with jitter. */
    public Duration delay(int retry, RandomGenerator random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        long firstMillis = first.toMillis();
        long maxMillis = max.toMillis();
        // Doubling stops at the cap, so a long run of failures never overflows.
        long wait = firstMillis;
        for (int i = 1; i < retry && wait < maxMillis; i++) {
            wait = wait > maxMillis / 2 ? maxMillis : wait * 2;
        }
        wait = Math.min(wait, maxMillis);
        if (jitter == Jitter.EQUAL) {
            long half = wait / 2;
            wait = half + (long) (random.nextDouble() * (wait - half));
        }
        return Duration.ofMillis(wait);
    }

    /** The server's Retry-After when it gave one, else {@link #delay}; capped at {@code max} either way. */
    public Duration delay(int retry, Optional<Duration> retryAfter, RandomGenerator random) {
        return retryAfter.map(this::capped).orElseGet(() -> delay(retry, random));
    }

    /** {@link #delay(int, RandomGenerator)} of a backoff without jitter. */
    public Duration delay(int retry) {
        return delay(retry, Optional.empty());
    }

    /** {@link #delay(int, Optional, RandomGenerator)} of a backoff without jitter. */
    public Duration delay(int retry, Optional<Duration> retryAfter) {
        if (jitter != Jitter.NONE) {
            throw new IllegalStateException("a backoff with jitter needs a source of randomness");
        }
        return delay(retry, retryAfter, NOT_RANDOM);
    }

    /** {@code wait}, or {@code max} when longer. */
    private Duration capped(Duration wait) {
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
