package dev.knowgate.model.runtime;

/**
 * What the model thinks of a request's target tokens, position by position.
 *
 * @param argmax         the most likely token at each target position
 * @param logProb        log p(target) at temperature 1, full vocabulary
 * @param sampledLogProb log p(target) when sampling at the scorer's temperature with top-k;
 *                       negative infinity where the target is outside the top k
 */
public record TargetScore(int[] argmax, double[] logProb, double[] sampledLogProb, int[] targets) {

    /** Greedy decoding reproduces the targets exactly: every target is its position's argmax. */
    public boolean greedyMatches() {
        for (int i = 0; i < targets.length; i++) {
            if (argmax[i] != targets[i]) {
                return false;
            }
        }
        return true;
    }

    public double sequenceLogProb() {
        double sum = 0;
        for (double lp : logProb) {
            sum += lp;
        }
        return sum;
    }

    /** The exact probability that one sample (temperature, top-k) reproduces every target. */
    public double sampledProbability() {
        double sum = 0;
        for (double lp : sampledLogProb) {
            sum += lp;
        }
        return Math.exp(sum);
    }
}
