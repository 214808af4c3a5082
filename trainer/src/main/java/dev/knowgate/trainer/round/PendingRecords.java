package dev.knowgate.trainer.round;

import dev.knowgate.trainer.backend.RoundExample;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The records read from examples.accepted and not yet committed, in reading order, and the offsets
 * a round reads from and up to: the offset bookkeeping behind "commit only what a decided round
 * covers". Not thread-safe: the trainer's consumer thread owns it.
 */
final class PendingRecords {

    /**
     * One record as read.
     *
     * @param example the example to train on; null when the record is skipped (its reason is counted)
     * @param at      when it was read
     */
    record Pending(TopicPartition tp, long offset, String key, byte[] value, RoundExample example, Instant at) {
    }

    private final List<Pending> pending = new ArrayList<>();
    /** Per partition, where the next round's reading begins: the offset after the last round's, or the committed one. */
    private final Map<TopicPartition, Long> nextStart = new HashMap<>();

    void add(Pending p) {
        pending.add(p);
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    long count(Predicate<Pending> which) {
        return pending.stream().filter(which).count();
    }

    /** When the oldest pending record was read; null when none is. */
    Instant oldest() {
        return pending.isEmpty() ? null : pending.get(0).at();
    }

    /** The oldest records, at most {@code max}: a round's. */
    List<Pending> take(int max) {
        return List.copyOf(pending.subList(0, Math.min(pending.size(), max)));
    }

    /**
     * A round's records, at most {@code max}, oldest first, in which released examples make up at most
     * {@code releasedShare} of the trainable ones (released or {@code trainable}). A released example
     * beyond the budget ends its partition's part of the round: it and every later record of that
     * partition wait for the next round (the round commits each partition up to its first record
     * left, so nothing is skipped), while the other partitions fill the round.
     */
    List<Pending> take(int max, double releasedShare, Predicate<Pending> released, Predicate<Pending> trainable) {
        int allowed = Integer.MAX_VALUE;
        while (true) {
            List<Pending> taken = new ArrayList<>();
            Set<TopicPartition> stopped = new java.util.HashSet<>();
            int admitted = 0;
            int others = 0;
            for (Pending p : pending) {
                if (taken.size() >= max) {
                    break;
                }
                if (stopped.contains(p.tp())) {
                    continue;
                }
                if (released.test(p)) {
                    if (admitted >= allowed) {
                        stopped.add(p.tp());
                        continue;
                    }
                    admitted++;
                } else if (trainable.test(p)) {
                    others++;
                }
                taken.add(p);
            }
            int budget = ReleaseBudget.admits(releasedShare, others);
            if (admitted <= budget) {
                return List.copyOf(taken);
            }
            allowed = budget; // fewer released, fewer records after them: until it holds
        }
    }


    /** The pending records below the given end offsets: a round read again after a crash. */
    List<Pending> below(Map<TopicPartition, Long> end) {
        return pending.stream().filter(p -> p.offset() < end.getOrDefault(p.tp(), -1L)).toList();
    }

    /** Where a round's reading began on each partition: after the last round's, else at the position when assigned. */
    Map<TopicPartition, Long> start(Set<TopicPartition> assigned, ToLongFunction<TopicPartition> position) {
        Map<TopicPartition, Long> start = new HashMap<>();
        for (TopicPartition tp : assigned) {
            Long s = nextStart.get(tp);
            start.put(tp, s != null ? s : position.applyAsLong(tp));
        }
        return start;
    }

    /**
     * The offsets a round of {@code taken} commits on each partition: after its last record there;
     * where it has none, the first record it leaves for the next round, or the reading position.
     */
    Map<TopicPartition, Long> end(Set<TopicPartition> assigned, List<Pending> taken,
                                  ToLongFunction<TopicPartition> position) {
        Map<TopicPartition, Long> end = new HashMap<>();
        for (TopicPartition tp : assigned) {
            end.put(tp, endOf(tp, taken, position));
        }
        return end;
    }

    private long endOf(TopicPartition tp, List<Pending> taken, ToLongFunction<TopicPartition> position) {
        long end = -1;
        for (Pending p : taken) {
            if (p.tp().equals(tp)) {
                end = p.offset() + 1;
            }
        }
        if (end >= 0) {
            return end;
        }
        for (Pending p : pending) {
            if (p.tp().equals(tp)) {
                return p.offset();
            }
        }
        return position.applyAsLong(tp);
    }

    /** A round is decided and committed: its records leave, and the next round reads from its end. */
    void committed(List<Pending> taken, Map<TopicPartition, Long> end) {
        pending.removeAll(taken);
        nextStart.putAll(end);
    }

    /** Partitions assigned at these (committed) positions: rounds read from there. */
    void assigned(Map<TopicPartition, Long> positions) {
        nextStart.putAll(positions);
    }

    /** Partitions taken away: their records are dropped (not committed, so read again by their new owner). */
    void revoked(Collection<TopicPartition> partitions) {
        pending.removeIf(p -> partitions.contains(p.tp()));
        partitions.forEach(nextStart::remove);
    }
}
