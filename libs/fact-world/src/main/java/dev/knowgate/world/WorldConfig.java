package dev.knowgate.world;

import java.util.Locale;
import java.util.Objects;

/**
 * The size and mix of a world. Same config, same world, byte for byte.
 *
 * @param seed                the only source of randomness
 * @param entitiesPerKind     base count of entities per kind, scaled by {@link EntityKind#count}
 * @param factsPerRelation    facts per relation; at most {@code entitiesPerKind} so every relation
 *                            reaches it
 * @param devPerRelation      few-shot exemplar facts per relation (dev split)
 * @param probesPerRelation   held-out probe facts per relation
 * @param exposure            the exposure schedule
 * @param qaTextsPerFact      question-answer texts per well-known fact in pre-training
 * @param fewShotTextsPerFact few-shot texts per well-known fact in pre-training
 * @param shots               exemplars per few-shot text (SliCK uses 4)
 */
public record WorldConfig(long seed, int entitiesPerKind, int factsPerRelation, int devPerRelation,
                          int probesPerRelation, ExposureSchedule exposure, int qaTextsPerFact,
                          int fewShotTextsPerFact, int shots) {

    public WorldConfig {
        Objects.requireNonNull(exposure, "exposure");
        if (entitiesPerKind < 4) {
            throw new IllegalArgumentException("entitiesPerKind must be >= 4");
        }
        if (factsPerRelation < 1 || factsPerRelation > entitiesPerKind) {
            throw new IllegalArgumentException("factsPerRelation must be in [1, entitiesPerKind]");
        }
        if (devPerRelation < 0 || probesPerRelation < 0 || devPerRelation + probesPerRelation >= factsPerRelation) {
            throw new IllegalArgumentException("dev and probes per relation must leave a fine-tuning pool");
        }
        if (qaTextsPerFact < 0 || fewShotTextsPerFact < 0 || shots < 0) {
            throw new IllegalArgumentException("text counts and shots must be >= 0");
        }
    }

    /** For tests: 15 relations x 20 facts = 300 facts, generated in milliseconds. */
    public static WorldConfig micro(long seed) {
        return new WorldConfig(seed, 24, 20, 5, 3, ExposureSchedule.defaults(), 2, 1, 4);
    }

    /** For the real base model: 15 relations x 300 facts = 4,500 facts. */
    public static WorldConfig standard(long seed) {
        return new WorldConfig(seed, 400, 300, 10, 20, ExposureSchedule.defaults(), 2, 1, 4);
    }

    /** {@code micro} or {@code standard}. */
    public static WorldConfig preset(String name, long seed) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "micro" -> micro(seed);
            case "standard" -> standard(seed);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (micro or standard)");
        };
    }

    public WorldConfig withSeed(long newSeed) {
        return new WorldConfig(newSeed, entitiesPerKind, factsPerRelation, devPerRelation, probesPerRelation,
                exposure, qaTextsPerFact, fewShotTextsPerFact, shots);
    }

    public WorldConfig withExposure(ExposureSchedule newExposure) {
        return new WorldConfig(seed, entitiesPerKind, factsPerRelation, devPerRelation, probesPerRelation,
                newExposure, qaTextsPerFact, fewShotTextsPerFact, shots);
    }
}
