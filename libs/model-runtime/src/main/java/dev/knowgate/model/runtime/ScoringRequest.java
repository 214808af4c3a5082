package dev.knowgate.model.runtime;

/**
 * A token sequence whose tail is scored: tokens {@code [firstTarget, length)} are the targets, each
 * predicted from the logits one position earlier (teacher forcing).
 */
public record ScoringRequest(int[] tokens, int firstTarget) {

    public ScoringRequest {
        if (firstTarget < 1 || firstTarget >= tokens.length) {
            throw new IllegalArgumentException("firstTarget must be in [1, " + tokens.length + "), got " + firstTarget);
        }
        tokens = tokens.clone();
    }

    public int targets() {
        return tokens.length - firstTarget;
    }
}
