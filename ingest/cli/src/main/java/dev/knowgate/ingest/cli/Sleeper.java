package dev.knowgate.ingest.cli;

import java.time.Duration;

/**
 * How a push waits between retries. Tests inject one that records the waits instead of sleeping.
 * The default waits on the push's {@link Cancellation}, so that cancelling ends a wait at once.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits {@code duration}, or less when {@code cancellation} is cancelled.
     *
     * @throws InterruptedException when the waiting thread is interrupted (treated as a cancellation)
     */
    void sleep(Duration duration, Cancellation cancellation) throws InterruptedException;

    /** Waits on the cancellation: a cancel ends the wait early. */
    Sleeper CANCELLABLE = (duration, cancellation) -> cancellation.await(duration);
}
