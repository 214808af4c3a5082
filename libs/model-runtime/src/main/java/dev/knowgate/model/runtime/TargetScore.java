package dev.knowgate.model.runtime;

/**
 * What the model thinks of a request's target tokens, position by position.
 *
 * @param argmax                   the most likely token at each target position
 * @param logProb                  log p(target) at temperature 1, full vocabulary
 * @param sampledLogProb           log p(target) when sampling at the scorer's temperature with top-k;
 *                                 negative infinity where the target is outside the top k
 * @param targets                  the target tokens
 * @param finalAlternatives        other tokens the last target may be ({@link ScoringRequest#endingAlsoWith})
 * @param finalAlternativesSampled their log p when sampling, at the last target's position
 */
public record TargetScore(int[] argmax, double[] logProb, double[] sampledLogProb, int[] targets,
                          int[] finalAlternatives, double[] finalAlternativesSampled) {

    public TargetScore(int[] argmax, double[] logProb, double[] sampledLogProb, int[] targets) {
        this(argmax, logProb, sampledLogProb, targets, new int[0], new double[0]);
    }

    /**
     * Greedy decoding reproduces the targets exactly: every target is its position's argmax (the
     * last one, or one of its alternatives).
     */
    public boolean greedyMatches() {
        int last = targets.length - 1;
        for (int i = 0; i < last; i++) {
            if (argmax[i] != targets[i]) {
                return false;
            }
        }
        if (argmax[last] == targets[last]) {
            return true;
        }
        for (int alternative : finalAlternatives) {
            if (argmax[last] == alternative) {
                return true;
            }
        }
        return false;
    }

    public double sequenceLogProb() {
        double sum = 0;
        for (double lp : logProb) {
            sum += lp;
        }
        return sum;
    }

    /**
     * The exact probability that one sample (temperature, top-k) reproduces every target, the last
     * one or any of its alternatives (disjoint ways to end the same sequence).
     */
    public double sampledProbability() {
        int last = sampledLogProb.length - 1;
        double sum = 0;
        for (int i = 0; i < last; i++) {
            sum += sampledLogProb[i];
        }
        double ending = Math.exp(sampledLogProb[last]);
        for (double lp : finalAlternativesSampled) {
            ending += Math.exp(lp);
        }
        return Math.exp(sum) * ending;
    }
}
