package dev.knowgate.trainer.backend;

/**
 * What a backend reports about its round; fields it cannot measure are null.
 *
 * @param epochs            epochs run (early stopping may cut them short)
 * @param trainLoss         training loss (cross-entropy per answer token) of the kept epoch
 * @param devAccuracyBefore the parent's greedy exact-match accuracy on the dev split
 * @param devAccuracy       the new version's
 * @param stoppedEarly      whether early stopping ended the round
 * @param tokens            tokens trained on (all epochs)
 * @param seconds           training wall time
 */
public record TrainingOutcome(int epochs, Double trainLoss, Double devAccuracyBefore, Double devAccuracy,
                              boolean stoppedEarly, long tokens, double seconds) {

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }
}
