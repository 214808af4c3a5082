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
 * @param lead                     at each target position, how far the argmax's logit leads the
 *                                 runner-up's, relative to its own magnitude (at least 1): how much
 *                                 the logits may move before greedy decoding would choose otherwise;
 *                                 infinite where not known
 */
public record TargetScore(int[] argmax, double[] logProb, double[] sampledLogProb, int[] targets,
                          int[] finalAlternatives, double[] finalAlternativesSampled, double[] lead) {

    public TargetScore(int[] argmax, double[] logProb, double[] sampledLogProb, int[] targets,
                       int[] finalAlternatives, double[] finalAlternativesSampled) {
        this(argmax, logProb, sampledLogProb, targets, finalAlternatives, finalAlternativesSampled,
                infinite(targets.length));
    }

    public TargetScore(int[] argmax, double[] logProb, double[] sampledLogProb, int[] targets) {
        this(argmax, logProb, sampledLogProb, targets, new int[0], new double[0]);
    }

    /** The lead of a row's argmax over its runner-up, relative to the argmax's magnitude (at least 1). */
    public static double lead(float best, float runnerUp) {
        return (best - (double) runnerUp) / Math.max(1.0, Math.abs(best));
    }

    /**
     * Whether greedy decoding's choice is within {@code margin} (a {@link #lead}) of another token at a
     * position teacher forcing followed it through: every target up to and including the first one that
     * is not its position's argmax (all of them when greedy reproduces the targets).
     */
    public boolean nearTieOnGreedyPath(double margin) {
        for (int i = 0; i < targets.length; i++) {
            if (lead[i] <= margin) {
                return true;
            }
            if (argmax[i] != targets[i]) {
                return false; // greedy left the targets here; later positions are not on its path
            }
        }
        return false;
    }

    private static double[] infinite(int n) {
        double[] lead = new double[n];
        java.util.Arrays.fill(lead, Double.POSITIVE_INFINITY);
        return lead;
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
