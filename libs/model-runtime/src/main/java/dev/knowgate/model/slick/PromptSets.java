package dev.knowgate.model.slick;

import dev.knowgate.contracts.PromptSharing;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws the K prompt sets of an example deterministically from its id and the model version, so any
 * verdict can be reproduced; an exemplar is never the example itself.
 * {@link PromptSharing#PER_RELATION} (the verdict's own record of how its sets were drawn) draws them
 * from the pool and the model version instead, so the examples of one relation share their prompt
 * sets (and {@link dev.knowgate.model.runtime.PrefixScorer} computes each set once).
 */
public final class PromptSets {

    private PromptSets() {
    }

    /** Sets drawn per pool before falling back to the example's own draw (see {@link #drawShared}). */
    private static final int SHARED_DRAWS_PER_PROMPT = 4;

    public static List<List<Exemplar>> draw(PromptSharing sharing, String exampleId, String modelKey, ExemplarPool.Pool pool,
                                            int prompts, int shots) {
        return sharing == PromptSharing.PER_RELATION ? drawShared(exampleId, modelKey, pool, prompts, shots)
                : draw(exampleId, modelKey, pool, prompts, shots);
    }

    public static List<List<Exemplar>> draw(String exampleId, String modelKey, ExemplarPool.Pool pool, int prompts, int shots) {
        List<Exemplar> candidates = pool.exemplars().stream().filter(e -> !e.id().equals(exampleId)).toList();
        if (candidates.size() < shots) {
            throw new IllegalStateException("pool " + pool.name() + " has " + candidates.size() + " exemplars, " + shots + " needed");
        }
        SplittableRandom random = new SplittableRandom(seed(exampleId, modelKey));
        List<List<Exemplar>> sets = new ArrayList<>(prompts);
        for (int k = 0; k < prompts; k++) {
            sets.add(shuffled(candidates, shots, random));
        }
        return sets;
    }

    /**
     * The first K sets of the pool's own sequence (seeded by its name and the model version) that
     * do not hold the example; examples outside the pool all get the same K. An example in so many
     * of them that K are not found among K x {@value #SHARED_DRAWS_PER_PROMPT} gets its own draw.
     */
    public static List<List<Exemplar>> drawShared(String exampleId, String modelKey, ExemplarPool.Pool pool,
                                                  int prompts, int shots) {
        SplittableRandom random = new SplittableRandom(seed("pool:" + pool.name(), modelKey));
        List<List<Exemplar>> sets = new ArrayList<>(prompts);
        for (int drawn = 0; drawn < prompts * SHARED_DRAWS_PER_PROMPT && sets.size() < prompts; drawn++) {
            List<Exemplar> set = shuffled(pool.exemplars(), shots, random);
            if (set.stream().noneMatch(e -> e.id().equals(exampleId))) {
                sets.add(set);
            }
        }
        return sets.size() == prompts ? sets : draw(exampleId, modelKey, pool, prompts, shots);
    }

    /** A partial Fisher-Yates shuffle: S distinct exemplars in random order. */
    private static List<Exemplar> shuffled(List<Exemplar> candidates, int shots, SplittableRandom random) {
        if (candidates.size() < shots) {
            throw new IllegalStateException("a pool of " + candidates.size() + " exemplars, " + shots + " needed");
        }
        List<Exemplar> shuffled = new ArrayList<>(candidates);
        for (int i = 0; i < shots; i++) {
            int j = i + random.nextInt(shuffled.size() - i);
            Exemplar tmp = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, tmp);
        }
        return List.copyOf(shuffled.subList(0, shots));
    }

    private static long seed(String exampleId, String modelKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((exampleId + "\u001f" + modelKey).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
