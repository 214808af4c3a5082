package dev.knowgate.model.slick;

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
 */
public final class PromptSets {

    private PromptSets() {
    }

    public static List<List<Exemplar>> draw(String exampleId, String modelKey, ExemplarPool.Pool pool, int prompts, int shots) {
        List<Exemplar> candidates = pool.exemplars().stream().filter(e -> !e.id().equals(exampleId)).toList();
        if (candidates.size() < shots) {
            throw new IllegalStateException("pool " + pool.name() + " has " + candidates.size() + " exemplars, " + shots + " needed");
        }
        SplittableRandom random = new SplittableRandom(seed(exampleId, modelKey));
        List<List<Exemplar>> sets = new ArrayList<>(prompts);
        for (int k = 0; k < prompts; k++) {
            // A partial Fisher-Yates shuffle: S distinct exemplars in random order.
            List<Exemplar> shuffled = new ArrayList<>(candidates);
            for (int i = 0; i < shots; i++) {
                int j = i + random.nextInt(shuffled.size() - i);
                Exemplar tmp = shuffled.get(i);
                shuffled.set(i, shuffled.get(j));
                shuffled.set(j, tmp);
            }
            sets.add(List.copyOf(shuffled.subList(0, shots)));
        }
        return sets;
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
