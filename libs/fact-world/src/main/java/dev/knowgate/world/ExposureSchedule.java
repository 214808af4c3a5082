package dev.knowgate.world;

import java.util.List;

/**
 * How many times each fact's statements appear in the pre-training corpus.
 *
 * <p>Fine-tuning pool facts get a level from {@code levels} in proportion to {@code weights}
 * (exact quotas per relation, largest remainder, then shuffled), so the SliCK categories all
 * occur: level 0 facts are never seen (future Unknown), 1-2 are seen rarely (future WeaklyKnown
 * or MaybeKnown), 16-32 often (future HighlyKnown). Dev exemplars and probes always get
 * {@code heldOutExposure}. Facts with at least {@code qaMinExposure} also appear as
 * question-answer and few-shot texts, which teach the model the QA format.
 *
 * @param levels          exposure levels, distinct, each >= 0
 * @param weights         one weight >= 0 per level, summing to a positive number (normalised)
 * @param heldOutExposure the exposure of dev exemplars and probe facts, >= 1
 * @param qaMinExposure   from this exposure on a fact also gets QA and few-shot texts, >= 1
 */
public record ExposureSchedule(List<Integer> levels, List<Double> weights, int heldOutExposure, int qaMinExposure) {

    public ExposureSchedule {
        levels = List.copyOf(levels);
        weights = List.copyOf(weights);
        if (levels.isEmpty() || levels.size() != weights.size()) {
            throw new IllegalArgumentException("one weight per exposure level, at least one level");
        }
        if (levels.stream().anyMatch(l -> l < 0) || levels.stream().distinct().count() != levels.size()) {
            throw new IllegalArgumentException("exposure levels must be distinct and >= 0: " + levels);
        }
        if (weights.stream().anyMatch(w -> !(w >= 0)) || weights.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
            throw new IllegalArgumentException("weights must be >= 0 with a positive sum: " + weights);
        }
        if (heldOutExposure < 1 || qaMinExposure < 1) {
            throw new IllegalArgumentException("heldOutExposure and qaMinExposure must be >= 1");
        }
    }

    /**
     * The default mix: levels {0, 1, 2, 4, 8, 16, 32} with weights {0.22, 0.30, 0.22, 0.10, 0.06,
     * 0.05, 0.05}, weighted towards the rarely seen levels that make MaybeKnown and WeaklyKnown facts
     * (docs/model.md); probes and exemplars at 64 (above every pool level, so the base model knows them
     * firmly); QA texts from 16.
     */
    public static ExposureSchedule defaults() {
        return new ExposureSchedule(List.of(0, 1, 2, 4, 8, 16, 32),
                List.of(0.22, 0.30, 0.22, 0.10, 0.06, 0.05, 0.05), 64, 16);
    }

    /** The weight of level index {@code i}, normalised so all sum to 1. */
    public double probability(int i) {
        return weights.get(i) / weights.stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * How many of {@code n} facts get each level (index-aligned with {@code levels}): the
     * largest-remainder rounding of n * probability, ties to the lower index. Sums to n.
     */
    public int[] allocate(int n) {
        int[] counts = new int[levels.size()];
        double[] remainders = new double[levels.size()];
        int assigned = 0;
        for (int i = 0; i < counts.length; i++) {
            double exact = n * probability(i);
            counts[i] = (int) Math.floor(exact);
            remainders[i] = exact - counts[i];
            assigned += counts[i];
        }
        while (assigned < n) {
            int best = 0;
            for (int i = 1; i < counts.length; i++) {
                if (remainders[i] > remainders[best]) {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = -1;
            assigned++;
        }
        return counts;
    }

    public int maxLevel() {
        return levels.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
}
