package dev.knowgate.model.slick;

import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.model.runtime.TokenChooser;

/**
 * Greedy decoding that also keeps the probability (softmax at T=1) of every token it picks, so that
 * the whole answer's probability comes with it. One per decoded sequence.
 */
final class ConfidentGreedy implements TokenChooser {

    private double logProbability;

    @Override
    public int choose(float[] logits) {
        int best = TargetScorer.argmax(logits);
        double max = logits[best];
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        logProbability -= Math.log(sum); // log softmax of the best: (max - max) - log(sum)
        return best;
    }

    /** The probability of the tokens picked so far, stop token included once it was picked. */
    double probability() {
        return Math.exp(logProbability);
    }
}
