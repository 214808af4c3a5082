package dev.knowgate.model.slick;

import dev.knowgate.contracts.Category;

/**
 * @param pGreedy  share of the K prompts whose greedy answer is the gold answer (or an alias)
 * @param pSampled expected share of the N x K samples that are the gold answer: the mean over prompts
 *                 of the exact probability of sampling it
 * @param pFound   probability that at least one of the N x K samples is the gold answer
 * @param category SliCK's rule, with "sampled > 0" read as pFound >= the configured threshold
 * @param pool     the exemplar pool the prompts came from (a relation, or "mixed")
 * @param fallback true when the example fell back to the mixed pool
 */
public record SlickResult(double pGreedy, double pSampled, double pFound, Category category, String pool,
                          boolean fallback) {
}
