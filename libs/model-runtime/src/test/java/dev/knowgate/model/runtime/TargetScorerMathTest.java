package dev.knowgate.model.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TargetScorerMathTest {

    private static final float[] ROW = {2.0f, 1.0f, 0.5f, -1.0f, 3.0f};

    @Test
    void fullVocabularyAtTemperatureOneIsTheLogSoftmax() {
        double z = 0;
        for (float v : ROW) {
            z += Math.exp(v);
        }
        for (int t = 0; t < ROW.length; t++) {
            assertThat(TargetScorer.logSoftmaxAt(ROW, t, 1.0, ROW.length)).isCloseTo(ROW[t] - Math.log(z), within(1e-9));
        }
        double total = 0;
        for (int t = 0; t < ROW.length; t++) {
            total += Math.exp(TargetScorer.logSoftmaxAt(ROW, t, 1.0, ROW.length));
        }
        assertThat(total).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void temperatureAndTopKRenormaliseOverTheKLargest() {
        // top-2 of ROW: 3.0 (index 4) and 2.0 (index 0); at T = 0.5 the logits double.
        double p4 = Math.exp(6.0) / (Math.exp(6.0) + Math.exp(4.0));
        assertThat(Math.exp(TargetScorer.logSoftmaxAt(ROW, 4, 0.5, 2))).isCloseTo(p4, within(1e-9));
        assertThat(Math.exp(TargetScorer.logSoftmaxAt(ROW, 0, 0.5, 2))).isCloseTo(1 - p4, within(1e-9));
        assertThat(TargetScorer.logSoftmaxAt(ROW, 1, 0.5, 2)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void tiesAtTheKthValueAreKept() {
        float[] tied = {1.0f, 1.0f, 0.0f};
        assertThat(Math.exp(TargetScorer.logSoftmaxAt(tied, 1, 1.0, 1))).isCloseTo(0.5, within(1e-9));
        assertThat(TargetScorer.argmax(tied)).isZero();
    }

    @Test
    void aScoreReportsGreedyMatchAndTheJointSamplingProbability() {
        TargetScore score = new TargetScore(new int[]{4, 7}, new double[]{-0.1, -0.2},
                new double[]{Math.log(0.5), Math.log(0.25)}, new int[]{4, 7});
        assertThat(score.greedyMatches()).isTrue();
        assertThat(score.sampledProbability()).isCloseTo(0.125, within(1e-12));
        assertThat(score.sequenceLogProb()).isCloseTo(-0.3, within(1e-12));
        assertThat(new TargetScore(new int[]{4, 6}, new double[2], new double[2], new int[]{4, 7}).greedyMatches()).isFalse();
    }
}
