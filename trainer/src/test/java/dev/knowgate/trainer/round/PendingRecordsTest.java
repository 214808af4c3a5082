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
