package dev.knowgate.categorize.stream;

import java.time.Duration;

/**
 * The time a stream thread's open transaction has spent on batches. With exactly-once v2 all the
 * tasks of a thread share one transaction, committed only after every task's punctuation has run:
 * six partitions on one thread, each flushing one slow batch, held a transaction open six batches
 * long, past the producer's timeout. So the budget is the thread's, not a task's: once the first
 * batch since the last commit started {@code batch.max-flush-time} ago, no task on the thread starts
 * another until the transaction ends ({@link #transactionEnded}, called by
 * {@link BudgetedClientSupplier}'s producer on commit and abort). Every transaction runs at least one.
 *
 * <p>Until a commit is seen on the thread (TopologyTestDriver uses its own producer; Kafka Streams
 * without this supplier), the budget is one per flush, as it was.
 */
final class TransactionBudget {

    private static final class Window {
        long startedNanos; // 0: no batch since the last commit
        boolean commitsSeen;
    }

    private static final ThreadLocal<Window> WINDOW = ThreadLocal.withInitial(Window::new);

    private TransactionBudget() {
    }

    /** At the start of a flush. */
    static void flushStarting() {
        Window w = WINDOW.get();
        if (!w.commitsSeen) {
            w.startedNanos = 0;
        }
    }

    /**
     * Whether this thread's budget is bounded by its transactions (a commit was seen). Without that
     * signal the budget is one per flush, so nothing but a flush may start batches: a punctuation
     * starting them too would add batches to a transaction no budget sees.
     */
    static boolean transactional() {
        return WINDOW.get().commitsSeen;
    }

    /** Whether a batch may start now in this thread's transaction; if so, it is counted as started. */
    static boolean tryStartBatch(Duration max) {
        Window w = WINDOW.get();
        long now = System.nanoTime();
        if (w.startedNanos == 0) {
            w.startedNanos = now == 0 ? 1 : now;
            return true;
        }
        return now - w.startedNanos < max.toNanos();
    }

    /** The thread's transaction was committed or aborted: the next batch starts a new window. */
    static void transactionEnded() {
        Window w = WINDOW.get();
        w.startedNanos = 0;
        w.commitsSeen = true;
    }
}
