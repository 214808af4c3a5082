package dev.knowgate.trainer.round;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.KnownFacts;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** What the trainer makes of a crash's leftovers, without a broker: the decisions RoundLoop acts on. */
class RoundRecoveryTest {

    private static final String TOPIC = "examples.accepted";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final Map<TopicPartition, Long> COMMITTED = Map.of(P0, 40L, P1, 25L);

    private static ModelVersion base;
    private final RoundRecovery recovery = new RoundRecovery(TOPIC);

    @BeforeAll
    static void base() throws Exception {
        base = ModelFolder.open(KnownFacts.BASE).manifest();
    }

    private static RoundRunner.RoundOffsets offsets(Map<String, Long> start, int attempt) {
        return new RoundRunner.RoundOffsets("round-1", start, Map.of(), attempt);
    }

    private static SortedMap<Long, RoundRunner.RoundOffsets> found(long version, RoundRunner.RoundOffsets offsets) {
        SortedMap<Long, RoundRunner.RoundOffsets> found = new TreeMap<>();
        found.put(version, offsets);
        return found;
    }

    /** A version of the lineage whose round read up to {@code end}. */
    private static ModelVersion version(long v, Map<String, Long> end) {
        RoundSummary round = new RoundSummary("round-" + v, Map.of(), 10, 1, 0.5, 0.5, 100, end, null, null, null);
        return new ModelVersion(SchemaVersions.CURRENT, base.name(), v, v - 1, base.architecture(), base.files(),
                base.promptTemplate(), base.answerTerminator(), base.createdAt(), round, null);
    }

    @Test
    void theNextVersionTrainedFromTheCommittedOffsetsIsAnnounced() {
        RoundRecovery.Orphans o = recovery.orphans(found(3, offsets(Map.of(TOPIC + "-0", 40L, TOPIC + "-1", 25L), 0)), 2,
                true, COMMITTED);
        assertThat(o.announce()).containsExactly(3L);
        assertThat(o.remove()).isEmpty();
    }

    @Test
    void anAbsentPartitionCountsAsOffsetZero() {
        RoundRecovery.Orphans o = recovery.orphans(found(3, offsets(Map.of(TOPIC + "-0", 40L), 0)), 2, true,
                Map.of(P0, 40L, P1, 0L));
        assertThat(o.announce()).containsExactly(3L);
    }

    @Test
    void everyOtherUnannouncedVersionIsRemoved() {
        Map<String, Long> committed = Map.of(TOPIC + "-0", 40L, TOPIC + "-1", 25L);
        // Trained from other offsets: its examples are not the ones waiting now.
        assertThat(recovery.orphans(found(3, offsets(Map.of(TOPIC + "-0", 30L, TOPIC + "-1", 25L), 0)), 2, true, COMMITTED)
                .remove()).containsExactly(3L);
        // Not the next number: a version in between was announced and is gone, or this one is stale.
        assertThat(recovery.orphans(found(4, offsets(committed, 0)), 2, true, COMMITTED).remove()).containsExactly(4L);
        // No offsets recorded: not a round's version.
        assertThat(recovery.orphans(found(3, null), 2, true, COMMITTED).remove()).containsExactly(3L);
        // Only some partitions held: the committed offsets of the others are unknown here.
        assertThat(recovery.orphans(found(3, offsets(committed, 0)), 2, false, COMMITTED).remove()).containsExactly(3L);
    }

    @Test
    void versionsInARowFromTheSameOffsetsAreAnnouncedInOrderAndTheRestRemoved() {
        Map<String, Long> committed = Map.of(TOPIC + "-0", 40L, TOPIC + "-1", 25L);
        SortedMap<Long, RoundRunner.RoundOffsets> found = new TreeMap<>();
        found.put(5L, offsets(committed, 0));
        found.put(3L, offsets(committed, 0));
        found.put(4L, offsets(committed, 1));
        found.put(7L, offsets(committed, 0));
        RoundRecovery.Orphans o = recovery.orphans(found, 2, true, COMMITTED);
        assertThat(o.announce()).containsExactly(3L, 4L, 5L);
        assertThat(o.remove()).containsExactly(7L);
    }

    @Test
    void theInterruptedRoundIsTheNewestVersionReadingBeyondTheCommittedOffsets() {
        ModelVersion decided = version(2, Map.of(TOPIC + "-0", 40L, TOPIC + "-1", 25L));
        ModelVersion first = version(3, Map.of(TOPIC + "-0", 60L, TOPIC + "-1", 25L));
        ModelVersion retry = version(4, Map.of(TOPIC + "-0", 60L, TOPIC + "-1", 25L));
        assertThat(recovery.interrupted(List.of(base, decided), COMMITTED)).isEmpty();
        assertThat(recovery.interrupted(List.of(base, decided, retry, first), COMMITTED)).contains(retry);
    }

    @Test
    void onlyHeldPartitionsOfTheAcceptedTopicCount() {
        ModelVersion elsewhere = version(3, Map.of("examples.other-0", 99L, TOPIC + "-1", 25L, TOPIC + "-7", 99L));
        assertThat(recovery.interrupted(List.of(base, elsewhere), COMMITTED)).isEmpty();
        assertThat(recovery.interrupted(List.of(base, elsewhere), Map.of(new TopicPartition(TOPIC, 7), 10L)))
                .contains(elsewhere);
        assertThat(recovery.partitions(Map.of(TOPIC + "-3", 5L, TOPIC + "-x", 1L, TOPIC + "s-1", 2L, "other-0", 3L)))
                .isEqualTo(Map.of(new TopicPartition(TOPIC, 3), 5L));
        assertThat(RoundRecovery.keyed(Map.of(P1, 2L, P0, 1L))).containsExactly(Map.entry(TOPIC + "-0", 1L),
                Map.entry(TOPIC + "-1", 2L));
    }

    @Test
    void theReleasedTopicsOffsetsCountBesideTheAcceptedOnes() {
        RoundRecovery both = new RoundRecovery(java.util.Set.of(TOPIC, "examples.released"));
        assertThat(both.partitions(Map.of(TOPIC + "-3", 5L, "examples.released-2", 7L, "examples.other-0", 1L)))
                .isEqualTo(Map.of(new TopicPartition(TOPIC, 3), 5L, new TopicPartition("examples.released", 2), 7L));
        // A round that read released examples beyond the committed position was interrupted there.
        ModelVersion v = version(3, Map.of(TOPIC + "-1", 25L, "examples.released-0", 4L));
        assertThat(both.interrupted(List.of(base, v), Map.of(new TopicPartition(TOPIC, 1), 25L,
                new TopicPartition("examples.released", 0), 2L))).contains(v);
        assertThat(both.interrupted(List.of(base, v), Map.of(new TopicPartition(TOPIC, 1), 25L,
                new TopicPartition("examples.released", 0), 4L))).isEmpty();
    }
}
