package dev.knowgate.model.slick;

import dev.knowgate.contracts.Evidence;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the model's own answer to an Unknown example suggests (docs/curators.md measures how often
 * each hint is right on the fact world): nearly the gold text (a missing alias or a normalisation
 * difference), another answer given with confidence (the model's knowledge, or the gold answer,
 * may be wrong), or nothing in particular.
 */
public final class EvidenceHints {

    /** From this probability (T=1) of its whole answer on, the model is taken to be sure of it. */
    public static final double CONFIDENT = 0.5;

    private EvidenceHints() {
    }

    public static Evidence.Hint hint(String modelAnswer, double confidence, List<String> golds) {
        if (modelAnswer == null) {
            return Evidence.Hint.NONE;
        }
        String said = AnswerNormalizer.normalize(modelAnswer);
        if (said.isEmpty()) {
            return Evidence.Hint.NONE;
        }
        for (String gold : golds) {
            if (near(said, AnswerNormalizer.normalize(gold))) {
                return Evidence.Hint.NEAR_MATCH;
            }
        }
        return confidence >= CONFIDENT ? Evidence.Hint.CONFIDENT_OTHER : Evidence.Hint.NONE;
    }

    /**
     * Two normalised answers that are nearly the same: equal, one holding every word of the other
     * ("tessaly" and "tessaly city"), or a few characters apart (one edit per six characters of the
     * shorter, at least one; a swap of neighbouring letters is one edit).
     */
    static boolean near(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) {
            return false;
        }
        if (a.equals(b) || containsWords(a, b) || containsWords(b, a)) {
            return true;
        }
        return editDistance(a, b) <= Math.max(1, Math.min(a.length(), b.length()) / 6);
    }

    private static boolean containsWords(String text, String words) {
        Set<String> have = new HashSet<>(Arrays.asList(text.split(" ")));
        return have.containsAll(Arrays.asList(words.split(" ")));
    }

    /**
     * Edits between two short texts (UTF-16 units): insertions, deletions, substitutions and swaps of
     * two neighbouring letters, each one edit (the optimal-string-alignment distance; a swapped pair is
     * the commonest typo).
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
