package dev.knowgate.model.runtime;

import java.util.SplittableRandom;

/**
 * Samples at temperature T from the k largest logits, with its own seeded random stream. The
 * distribution is exactly the one {@link TargetScorer} computes probabilities under (ties at the
 * k-th value kept), so the sampled and the exact SliCK modes measure the same thing.
 */
public final class TopKSampler implements TokenChooser {

    private final double temperature;
    private final int topK;
    private final SplittableRandom random;
    private float[] heap;

    public TopKSampler(double temperature, int topK, long seed) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be > 0 and finite, got " + temperature);
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        this.temperature = temperature;
        this.topK = topK;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int choose(float[] logits) {
        float threshold = Float.NEGATIVE_INFINITY;
        if (topK < logits.length) {
            if (heap == null) {
                heap = new float[topK];
            }
            threshold = TargetScorer.kthLargest(logits, heap);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double total = 0;
        for (float v : logits) {
            if (v >= threshold) {
                total += Math.exp((v - max) / temperature);
            }
        }
        // Inverse CDF in token order: one uniform draw per token, so a stream's draws line up
        // whichever decoder (and batch) produced the logits.
        double u = random.nextDouble() * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] >= threshold) {
                cumulative += Math.exp((logits[i] - max) / temperature);
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // u landed on the rounding slack at the very end
    }
}
