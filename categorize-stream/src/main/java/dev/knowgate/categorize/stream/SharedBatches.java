package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.CategorizedBatch;
import dev.knowgate.contracts.Example;
import org.apache.kafka.streams.processor.TaskId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training examples that every stream task of this instance has waiting, so that one task's batch
 * is filled with other tasks' examples: with six partitions on one instance, each task alone would
 * see a sixth of the traffic and a GPU would see batches a sixth full.
 *
 * <p>A task about to categorize claims its own examples and borrows other tasks' waiting ones up to the
 * batch size. It categorizes them together and leaves each borrowed result with the example's own
 * task, which routes it in its own processing, inside its own transaction, with its own stores and
 * offsets: exactly-once holds per task as before. Results are kept in memory only. A task that closes
 * or crashes before routing them categorizes those examples again once it runs again.
 *
 * <p>Shared by the tasks of every stream thread, so every method holds the lock; none runs inference
 * under it.
 */
final class SharedBatches {

    /** One task's result, computed in another task's batch: the batch's version and protocol, one outcome. */
    record Ready(CategorizedBatch batch, long startedMs, long finishedMs) {
    }

    /** One batch's examples: the claiming task's own (store keys) and other tasks' borrowed ones. */
    record Loan(Object token, List<String> own, List<Borrowed> borrowed) {
        List<Example> examples() {
            return borrowed.stream().map(Borrowed::example).toList();
        }
    }

    record Borrowed(TaskId task, String key, Example example) {
    }

    private static final class Entry {
        final Example example;
        Object claim; // the loan computing it; null while waiting
        Ready ready;

        Entry(Example example) {
            this.example = example;
        }

        /** Neither in a batch nor computed: a batch may claim it. */
        boolean waiting() {
            return claim == null && ready == null;
        }
    }

    /** The claim of a result its owner has taken and is routing. */
    private static final Object ROUTING = new Object();

    private final Map<TaskId, LinkedHashMap<String, Entry>> tasks = new HashMap<>();

    /** A training example waits in {@code task}'s batch store under {@code key}. */
    synchronized void add(TaskId task, String key, Example example) {
        tasks.computeIfAbsent(task, t -> new LinkedHashMap<>()).put(key, new Entry(example));
    }

    /** It left the store (routed, rejected, a duplicate). */
    synchronized void remove(TaskId task, String key) {
        Map<String, Entry> entries = tasks.get(task);
        if (entries != null) {
            entries.remove(key);
        }
    }

    /** The task closed (rebalance, shutdown): its examples and results go; it re-adds them if it runs here again. */
    synchronized void forget(TaskId task) {
        tasks.remove(task);
    }

    /** Examples waiting to be categorized, across every task here (claimed and computed ones excluded). */
    synchronized int waiting() {
        int n = 0;
        for (Map<String, Entry> entries : tasks.values()) {
            for (Entry e : entries.values()) {
                n += e.waiting() ? 1 : 0;
            }
        }
        return n;
    }

    /** Whether another task's batch left results for {@code task}. */
    synchronized boolean hasReady(TaskId task) {
        Map<String, Entry> entries = tasks.get(task);
        return entries != null && entries.values().stream().anyMatch(e -> e.ready != null);
    }

    /**
     * The results other tasks' batches computed for this task's examples under {@code version}, by
     * store key, in arrival order; results of another version are dropped and their examples wait again.
     */
    synchronized Map<String, Ready> takeReady(TaskId task, String version) {
        Map<String, Ready> ready = new LinkedHashMap<>();
        Map<String, Entry> entries = tasks.get(task);
        if (entries != null) {
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Ready r = e.getValue().ready;
                if (r != null) {
                    e.getValue().ready = null;
                    boolean current = r.batch().model().key().equals(version);
                    e.getValue().claim = current ? ROUTING : null; // the owner routes it and removes it now
                    if (current) {
                        ready.put(e.getKey(), r);
                    }
                }
            }
        }
        return ready;
    }

    /** Whether a batch on another stream thread is computing this example now (its result will come). */
    synchronized boolean computingElsewhere(TaskId task, String key) {
        Entry e = entry(task, key);
        return e != null && e.claim != null && e.ready == null;
    }

    /**
     * Claims those of {@code own} (this task's examples about to be categorized) that no other batch has
     * taken, and borrows waiting examples of other tasks, oldest first per task, taking from each task
     * in turn, until the batch holds {@code size}.
     */
    synchronized Loan claim(TaskId task, List<String> own, int size) {
        Object token = new Object();
        List<String> claimed = new ArrayList<>();
        for (String key : own) {
            Entry e = entry(task, key);
            if (e == null || e.waiting()) {
                if (e != null) {
                    e.claim = token;
                }
                claimed.add(key);
            }
        }
        int room = size - claimed.size();
        List<Borrowed> borrowed = new ArrayList<>();
        List<Iterator<Map.Entry<String, Entry>>> others = new ArrayList<>();
        List<TaskId> owners = new ArrayList<>();
        tasks.forEach((t, entries) -> {
            if (!t.equals(task)) {
                others.add(entries.entrySet().iterator());
                owners.add(t);
            }
        });
        boolean any = true;
        while (borrowed.size() < room && any) {
            any = false;
            for (int i = 0; i < others.size() && borrowed.size() < room; i++) {
                Iterator<Map.Entry<String, Entry>> it = others.get(i);
                while (it.hasNext()) {
                    Map.Entry<String, Entry> e = it.next();
                    if (e.getValue().waiting()) {
                        e.getValue().claim = token;
                        borrowed.add(new Borrowed(owners.get(i), e.getKey(), e.getValue().example));
                        any = true;
                        break;
                    }
                }
            }
        }
        return new Loan(token, claimed, borrowed);
    }

    /**
     * {@link #claim}, but only a full batch: when fewer than {@code size} can be claimed it claims
     * nothing (an empty loan). Atomic, so two threads that each saw a batch's worth waiting never
     * split it into two partial batches; the one that comes second finds it taken and waits.
     */
    synchronized Loan claimFull(TaskId task, List<String> own, int size) {
        Loan loan = claim(task, own, size);
        if (loan.own().size() + loan.borrowed().size() < size) {
            release(loan);
            return new Loan(loan.token(), List.of(), List.of());
        }
        return loan;
    }

    /** Whether at least {@code size} examples wait across the tasks here (a full batch could be claimed). */
    synchronized boolean batchWaiting(int size) {
        int entries = 0;
        for (Map<String, Entry> e : tasks.values()) {
            entries += e.size();
        }
        if (entries < size) {
            return false; // the common quiet case, without looking at each entry
        }
        int n = 0;
        for (Map<String, Entry> e : tasks.values()) {
            for (Entry x : e.values()) {
                if (x.waiting() && ++n >= size) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The loan's batch ran: each borrowed example still claimed by it gets its result. */
    synchronized void settle(Loan loan, List<Ready> results) {
        for (int i = 0; i < loan.borrowed().size(); i++) {
            Borrowed b = loan.borrowed().get(i);
            Entry e = entry(b.task(), b.key());
            if (e != null && e.claim == loan.token()) {
                e.ready = results.get(i);
            }
        }
    }

    /** The loan's batch did not run (no version live, or it failed): its examples wait again. */
    synchronized void release(Loan loan) {
        for (Map<String, Entry> entries : tasks.values()) {
            for (Entry e : entries.values()) {
                if (e.claim == loan.token()) {
                    e.claim = null;
                }
            }
        }
    }

    private Entry entry(TaskId task, String key) {
        Map<String, Entry> entries = tasks.get(task);
        return entries == null ? null : entries.get(key);
    }
}
