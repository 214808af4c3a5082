package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.trainer.backend.RoundExample;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** The offsets a round commits: nothing it did not read, nothing skipped that a later round needs. */
class PendingRecordsTest {

    private static final TopicPartition P0 = new TopicPartition("examples.accepted", 0);
    private static final TopicPartition P1 = new TopicPartition("examples.accepted", 1);
    private static final TopicPartition P2 = new TopicPartition("examples.accepted", 2);
    /** Released examples have their own topic. */
    private static final TopicPartition R0 = new TopicPartition("examples.released", 0);
    private static final Set<TopicPartition> ASSIGNED = Set.of(P0, P1, P2);
    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");
    /** Where the consumer's reading stands: after every record polled. */
    private static final ToLongFunction<TopicPartition> POSITION = tp -> Map.of(P0, 13L, P1, 7L, P2, 30L).get(tp);

    private static PendingRecords.Pending record(TopicPartition tp, long offset, int second) {
        RoundExample e = new RoundExample("ex-" + tp.partition() + "-" + offset, "q", "a", "birthplace",
                Category.MAYBE_KNOWN, false);
        return new PendingRecords.Pending(tp, offset, e.id(), new byte[0], e, T.plusSeconds(second));
    }

    /** P0 at 10, 11, 12 and P1 at 5, 6, interleaved as polled; P2 has nothing pending. */
    private static PendingRecords pending() {
        PendingRecords p = new PendingRecords();
        p.assigned(Map.of(P0, 10L, P1, 5L, P2, 30L));
        p.add(record(P0, 10, 0));
        p.add(record(P1, 5, 1));
        p.add(record(P0, 11, 2));
        p.add(record(P0, 12, 3));
        p.add(record(P1, 6, 4));
        return p;
    }

    @Test
    void aRoundCommitsAfterItsLastRecordAndNotBeyondTheFirstItLeaves() {
        PendingRecords p = pending();
        List<PendingRecords.Pending> taken = p.take(3); // P0 10, P1 5, P0 11
        assertThat(p.start(ASSIGNED, POSITION)).isEqualTo(Map.of(P0, 10L, P1, 5L, P2, 30L));
        assertThat(p.end(ASSIGNED, taken, POSITION)).isEqualTo(Map.of(P0, 12L, P1, 6L, P2, 30L));

        PendingRecords q = pending();
        List<PendingRecords.Pending> firstOnly = q.take(1); // P0 10 only: P1 keeps its 5 for the next round
        assertThat(q.end(ASSIGNED, firstOnly, POSITION)).isEqualTo(Map.of(P0, 11L, P1, 5L, P2, 30L));
    }

    private static PendingRecords.Pending released(TopicPartition tp, long offset, int second) {
        RoundExample e = new RoundExample("rel-" + tp.partition() + "-" + offset, "q", "a", "birthplace",
                Category.UNKNOWN, false, true);
        return new PendingRecords.Pending(tp, offset, e.id(), new byte[0], e, T.plusSeconds(second));
    }

    private static boolean isReleased(PendingRecords.Pending p) {
        return p.example().released();
    }

    private static boolean isTrainable(PendingRecords.Pending p) {
        return !p.example().released();
    }

    @Test
    void theBudgetIsAShareOfTheWholeRoundRoundedDown() {
        assertThat(ReleaseBudget.admits(0.1, 90)).isEqualTo(10); // 10 of 100
        assertThat(ReleaseBudget.admits(0.1, 89)).isEqualTo(9);
        assertThat(ReleaseBudget.admits(0.3, 70)).isEqualTo(30);
        assertThat(ReleaseBudget.admits(0, 1000)).isZero();
        assertThat(ReleaseBudget.admits(0.5, 0)).isZero();
    }

    /** Released examples 0 and 1 on examples.released's partition 0, after {@code known} examples on P0 (and P1 if asked). */
    private static PendingRecords twoReleasedAfter(int known, boolean alsoP1) {
        PendingRecords p = new PendingRecords();
        p.assigned(Map.of(P0, 0L, P1, 0L, R0, 0L));
        for (int i = 0; i < known; i++) {
            p.add(record(P0, i, i));
            if (alsoP1) {
                p.add(record(P1, i, i));
            }
        }
        p.add(released(R0, 0, 20));
        p.add(released(R0, 1, 21));
        return p;
    }

    @Test
    void aReleaseBeyondTheBudgetWaitsWithTheReleasesBehindItAndNothingIsSkipped() {
        // 18 others admit floor(0.1 / 0.9 x 18) = 2 released: both.
        PendingRecords both = twoReleasedAfter(9, true);
        assertThat(both.take(100, 0.1, PendingRecordsTest::isReleased, PendingRecordsTest::isTrainable))
                .hasSize(20).filteredOn(PendingRecordsTest::isReleased).hasSize(2);

        // 9 others admit 1: the second released waits, and the next round reads it first.
        PendingRecords one = twoReleasedAfter(9, false);
        List<PendingRecords.Pending> taken = one.take(100, 0.1, PendingRecordsTest::isReleased, PendingRecordsTest::isTrainable);
        assertThat(taken).filteredOn(PendingRecordsTest::isReleased).extracting(PendingRecords.Pending::offset).containsExactly(0L);
        assertThat(taken).filteredOn(PendingRecordsTest::isTrainable).hasSize(9);
        assertThat(one.end(Set.of(P0, R0), taken, tp -> 99L)).containsEntry(P0, 9L).containsEntry(R0, 1L);
    }

    @Test
    void aBudgetOfZeroTrainsNoReleasedExampleAndTheOthersGoOn() {
        PendingRecords p = new PendingRecords();
        p.assigned(Map.of(P0, 0L, P1, 0L, R0, 0L));
        p.add(released(R0, 0, 0));
        p.add(record(P0, 0, 1));
        p.add(record(P1, 0, 2));
        p.add(record(P1, 1, 3));
        List<PendingRecords.Pending> taken = p.take(100, 0, PendingRecordsTest::isReleased, PendingRecordsTest::isTrainable);
        assertThat(taken).noneMatch(PendingRecordsTest::isReleased).hasSize(3);
        assertThat(p.end(Set.of(P0, P1, R0), taken, tp -> 99L)).containsEntry(R0, 0L).containsEntry(P0, 1L).containsEntry(P1, 2L);
    }


    @Test
    void theNextRoundReadsFromWhereTheCommittedOneEnded() {
        PendingRecords p = pending();
        List<PendingRecords.Pending> taken = p.take(3);
        Map<TopicPartition, Long> end = p.end(ASSIGNED, taken, POSITION);
        p.committed(taken, end);
        assertThat(p.size()).isEqualTo(2);
        assertThat(p.oldest()).isEqualTo(T.plusSeconds(3));
        List<PendingRecords.Pending> next = p.take(10);
        assertThat(next).extracting(PendingRecords.Pending::offset).containsExactly(12L, 6L);
        assertThat(p.start(ASSIGNED, POSITION)).isEqualTo(end);
        assertThat(p.end(ASSIGNED, next, POSITION)).isEqualTo(Map.of(P0, 13L, P1, 7L, P2, 30L));
    }

    @Test
    void aRevokedPartitionsRecordsAreDroppedAndItsStartForgotten() {
        PendingRecords p = pending();
        p.revoked(List.of(P1));
        assertThat(p.take(10)).extracting(PendingRecords.Pending::tp).containsOnly(P0);
        // Assigned again later: reading starts at its committed position, as the consumer reports it.
        assertThat(p.start(Set.of(P1), POSITION)).isEqualTo(Map.of(P1, 7L));
    }

    @Test
    void aRoundReadAgainAfterACrashTakesTheRecordsBelowItsEndOffsets() {
        PendingRecords p = pending();
        assertThat(p.below(Map.of(P0, 12L, P1, 6L))).extracting(PendingRecords.Pending::offset)
                .containsExactly(10L, 5L, 11L);
        assertThat(p.below(Map.of(P0, 11L))).extracting(PendingRecords.Pending::offset).containsExactly(10L);
    }

    @Test
    void countsAndTheOldest() {
        PendingRecords p = pending();
        assertThat(p.count(r -> r.tp().equals(P0))).isEqualTo(3);
        assertThat(p.oldest()).isEqualTo(T);
        assertThat(new PendingRecords().oldest()).isNull();
        assertThat(new PendingRecords().isEmpty()).isTrue();
    }
}
