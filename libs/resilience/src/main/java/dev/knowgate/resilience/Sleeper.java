package dev.knowgate.resilience;

import java.time.Duration;

/**
 * How a retry loop waits. Tests pass one that records the waits instead of sleeping; a service passes one that a
 * shutdown wakes; the CLI one that a cancellation ends.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits {@code duration}, or less when whatever this sleeper waits on ends the wait.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep}. */
    Sleeper THREAD = duration -> Thread.sleep(duration.toMillis());
}
