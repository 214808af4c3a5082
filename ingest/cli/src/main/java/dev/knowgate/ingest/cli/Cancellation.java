package dev.knowgate.ingest.cli;

import java.time.Duration;

/**
 * Asks a running push to stop at the next safe point: after the batch in flight is acknowledged
 * (or fails) and its progress is saved, before the next batch is sent. A retry wait in progress
 * ends at once. Thread-safe; cancelling twice is harmless. {@link Thread#interrupt()} of the
 * pushing thread has the same effect.
 */
public final class Cancellation {

    private final Object lock = new Object();
    private volatile boolean cancelled;

    public void cancel() {
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
        }
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Waits up to {@code duration} or until cancelled, whichever comes first.
     *
     * @return true when cancelled
     */
    public boolean await(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (lock) {
            while (!cancelled) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                lock.wait(Math.max(1, left / 1_000_000L), 0);
            }
            return cancelled;
        }
    }
}
