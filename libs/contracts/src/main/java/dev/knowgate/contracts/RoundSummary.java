package dev.knowgate.contracts;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What one training round did: carried in the manifest of the model version it produced.
 *
 * @param roundId            the trainer's id for the round
 * @param examplesByCategory how many of the round's examples fell in each SliCK category
 * @param examples           how many examples the round trained on
 * @param epochs             epochs run (early stopping may cut them short)
 * @param trainLoss          final training loss, if measured
 * @param devAccuracy        accuracy on the dev split, in [0, 1], if measured
 * @param wallTimeMs         wall-clock time of the round
 * @param sourceOffsets      "topic-partition" to the next offset to consume after this round;
 *                           lets a restarted trainer recognise a round it already published
 * @param learned            per SliCK category, of the round's new training facts, how many this version
 *                           answers; absent when not measured
 * @param lineageLearned     the same over every fact trained on along the promoted lineage up to and
 *                           including this round (replays counted once); absent when not measured
 * @param released           ids of the quarantined examples curators released that this round trained
 *                           on (new knowledge on purpose, within the trainer's budget); absent when none
 */
public record RoundSummary(
        String roundId,
        Map<Category, Integer> examplesByCategory,
        int examples,
        int epochs,
        Double trainLoss,
        Double devAccuracy,
        long wallTimeMs,
        Map<String, Long> sourceOffsets,
        Map<Category, LearnedCount> learned,
        Map<Category, LearnedCount> lineageLearned,
        List<String> released) {

    public static final int MAX_ROUND_ID_LENGTH = 128;
    private static final Pattern OFFSET_KEY = Pattern.compile(".+-(0|[1-9][0-9]{0,9})");

    public RoundSummary {
        Require.token("roundId", roundId, MAX_ROUND_ID_LENGTH);
        examplesByCategory = counts(examplesByCategory);
        Require.atLeast("examples", examples, 0);
        Require.atLeast("epochs", epochs, 0);
        if (trainLoss != null) {
            Require.atLeast("trainLoss", Require.finite("trainLoss", trainLoss), 0.0);
        }
        if (devAccuracy != null) {
            Require.probability("devAccuracy", devAccuracy);
        }
        Require.atLeast("wallTimeMs", wallTimeMs, 0L);
        sourceOffsets = offsets(sourceOffsets);
        learned = learned(learned, "learned");
        lineageLearned = learned(lineageLearned, "lineageLearned");
        released = released == null || released.isEmpty() ? null
                : Require.list("released", released, Integer.MAX_VALUE, (path, id) -> Require.exampleId(path, id, Example.MAX_ID_LENGTH));
    }

    /** Facts of these categories (trained along the lineage) the version answers; null when not measured. */
    public LearnedCount lineageLearned(java.util.Set<Category> categories) {
        if (lineageLearned == null) {
            return null;
        }
        LearnedCount sum = new LearnedCount(0, 0);
        for (Map.Entry<Category, LearnedCount> e : lineageLearned.entrySet()) {
            if (categories.contains(e.getKey())) {
                sum = sum.plus(e.getValue());
            }
        }
        return sum;
    }

    private static Map<Category, LearnedCount> learned(Map<Category, LearnedCount> counts, String name) {
        if (counts == null) {
            return null;
        }
        EnumMap<Category, LearnedCount> copy = new EnumMap<>(Category.class);
        counts.forEach((category, count) -> {
            Require.present(name, category);
            copy.put(category, Require.present(FieldPath.member(name, category.wireName()), count));
        });
        return Collections.unmodifiableMap(copy);
    }

    /** The key of {@link #sourceOffsets()} for a topic partition: "examples.accepted-3". */
    public static String offsetKey(String topic, int partition) {
        Require.line("topic", topic, 249);
        Require.atLeast("partition", partition, 0);
        return topic + "-" + partition;
    }

    // Ordered copies: category order and sorted keys make equal summaries iterate (and print) alike.
    private static Map<Category, Integer> counts(Map<Category, Integer> counts) {
        EnumMap<Category, Integer> copy = new EnumMap<>(Category.class);
        if (counts != null) {
            counts.forEach((category, count) -> {
                Require.present("examplesByCategory", category);
                String field = FieldPath.member("examplesByCategory", category.wireName());
                copy.put(category, Require.atLeast(field, Require.present(field, count), 0));
            });
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Map<String, Long> offsets(Map<String, Long> offsets) {
        TreeMap<String, Long> copy = new TreeMap<>();
        if (offsets != null) {
            offsets.forEach((key, offset) -> {
                if (key == null || !OFFSET_KEY.matcher(key).matches()) {
                    throw ContractViolation.invalid("sourceOffsets",
                            "has key " + Require.quote(key) + ", which is not \"topic-partition\"");
                }
                String field = FieldPath.member("sourceOffsets", key);
                copy.put(key, Require.atLeast(field, Require.present(field, offset), 0L));
            });
        }
        return Collections.unmodifiableMap(copy);
    }
}
