package dev.knowgate.trainer.round;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a trainer makes of the state a crash left, decided from what it finds; {@link RoundLoop}
 * reads the registry, the models topic and the committed positions, and acts on the answers.
 * Offsets are committed only once a round's version is decided, so:
 * <ul>
 *   <li>a version installed in the registry but never announced is announced (without training
 *       again) when it is the next number and was trained from exactly the committed offsets of
 *       the whole topic; any other such folder is removed;</li>
 *   <li>every announced version whose end offsets lie beyond the committed positions belongs to
 *       the round the crash interrupted; the newest of them is the one whose decision counts.</li>
 * </ul>
 * Offsets are keyed as the contracts key them ("examples.accepted-3"); only the topics a round reads count.
 */
final class RoundRecovery {

    /**
     * What to do with the registry's unannounced versions.
     *
     * @param announce the versions to announce, in order (at most the next numbers)
     * @param remove   the versions to delete
     */
    record Orphans(List<Long> announce, List<Long> remove) {
    }

    private final Set<String> topics;

    RoundRecovery(String topic) {
        this(Set.of(topic));
    }

    /** Over the topics a round reads (examples.accepted and examples.released). */
    RoundRecovery(Set<String> topics) {
        this.topics = Set.copyOf(topics);
    }

    /**
     * @param found            the unannounced versions, each with the offsets its round recorded (null: none recorded)
     * @param highestAnnounced the highest version number ever announced for the model
     * @param wholeTopic       whether this trainer holds every partition of the topic (otherwise it cannot tell)
     * @param positions        the committed positions of the partitions it holds
     */
    Orphans orphans(SortedMap<Long, RoundRunner.RoundOffsets> found, long highestAnnounced, boolean wholeTopic,
                    Map<TopicPartition, Long> positions) {
        List<Long> announce = new ArrayList<>();
        List<Long> remove = new ArrayList<>();
        long highest = highestAnnounced;
        for (Map.Entry<Long, RoundRunner.RoundOffsets> e : found.entrySet()) {
            long v = e.getKey();
            RoundRunner.RoundOffsets offsets = e.getValue();
            if (wholeTopic && v == highest + 1 && offsets != null && sameOffsets(partitions(offsets.start()), positions)) {
                announce.add(v);
                highest = v;
            } else {
                remove.add(v);
            }
        }
        return new Orphans(List.copyOf(announce), List.copyOf(remove));
    }

    /** The version of the round a crash interrupted: the newest whose end offsets lie beyond a committed position. */
    Optional<ModelVersion> interrupted(List<ModelVersion> lineage, Map<TopicPartition, Long> positions) {
        return lineage.stream()
                .filter(v -> v.round() != null && ahead(partitions(v.round().sourceOffsets()), positions))
                .max(Comparator.comparingLong(ModelVersion::version));
    }

    /** Only these topics' offsets: "examples.accepted-3" to its partition; other keys are ignored. */
    Map<TopicPartition, Long> partitions(Map<String, Long> offsets) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (String topic : topics) {
            String prefix = topic + "-";
            offsets.forEach((key, o) -> {
                if (key.startsWith(prefix) && key.substring(prefix.length()).matches("[0-9]+")) {
                    out.put(new TopicPartition(topic, Integer.parseInt(key.substring(prefix.length()))), o);
                }
            });
        }
        return out;
    }

    /** Offsets keyed as the contracts key them, in order. */
    static Map<String, Long> keyed(Map<TopicPartition, Long> offsets) {
        Map<String, Long> out = new TreeMap<>();
        offsets.forEach((tp, o) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), o));
        return out;
    }

    /** Whether some end offset lies beyond the committed position of its partition. */
    private static boolean ahead(Map<TopicPartition, Long> end, Map<TopicPartition, Long> positions) {
        return end.entrySet().stream().anyMatch(e -> positions.containsKey(e.getKey()) && e.getValue() > positions.get(e.getKey()));
    }

    /** The same offsets, a partition absent from one counting as offset 0. */
    private static boolean sameOffsets(Map<TopicPartition, Long> a, Map<TopicPartition, Long> b) {
        Set<TopicPartition> keys = new HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys.stream().allMatch(k -> a.getOrDefault(k, 0L).equals(b.getOrDefault(k, 0L)));
    }
}
