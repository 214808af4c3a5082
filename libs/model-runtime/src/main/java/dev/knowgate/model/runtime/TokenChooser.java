package dev.knowgate.model.runtime;

/**
 * Picks the next token of one decoded sequence from the logits at its last position. A chooser
 * belongs to one sequence (a sampler carries that sequence's random stream) and must not modify
 * the logits: rows decoded from the same prompt are handed the same array.
 */
@FunctionalInterface
public interface TokenChooser {

    /** Greedy decoding: the largest logit, the first on ties (as teacher-forced scoring counts it). */
    TokenChooser GREEDY = TargetScorer::argmax;

    int choose(float[] logits);
}
