package dev.knowgate.model.runtime;

/**
 * A token sequence whose tail is scored: tokens {@code [firstTarget, length)} are the targets, each
 * predicted from the logits one position earlier (teacher forcing). The first {@code sharedPrefix}
 * tokens may be computed once for every request of a call that starts with the same tokens
 * ({@link PrefixScorer}); by default that is everything before the last token ahead of the targets,
 * so the answer and its aliases share one pass over their prompt.
 */
public record ScoringRequest(int[] tokens, int firstTarget, int sharedPrefix, int[] finalAlternatives) {

    public ScoringRequest {
        if (firstTarget < 1 || firstTarget >= tokens.length) {
            throw new IllegalArgumentException("firstTarget must be in [1, " + tokens.length + "), got " + firstTarget);
        }
        if (sharedPrefix < 0 || sharedPrefix >= firstTarget) {
            throw new IllegalArgumentException("sharedPrefix must be in [0, " + firstTarget + "), got " + sharedPrefix);
        }
        tokens = tokens.clone();
        finalAlternatives = finalAlternatives == null ? new int[0] : finalAlternatives.clone();
    }

    public ScoringRequest(int[] tokens, int firstTarget, int sharedPrefix) {
        this(tokens, firstTarget, sharedPrefix, null);
    }

    public ScoringRequest(int[] tokens, int firstTarget) {
        this(tokens, firstTarget, firstTarget - 1);
    }

    /**
     * The same request, where the last target may also be any of {@code ids} (the other stop tokens
     * an answer may end with): scored from the same logits row, no extra position.
     */
    public ScoringRequest endingAlsoWith(int... ids) {
        return new ScoringRequest(tokens, firstTarget, sharedPrefix, ids);
    }

    public int targets() {
        return tokens.length - firstTarget;
    }

    @Override
    public int[] finalAlternatives() {
        return finalAlternatives.clone();
    }
}
