package dev.knowgate.model.runtime;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sampler draws from exactly the distribution teacher-forced scoring assigns probabilities
 * under (softmax at temperature T over the k largest logits, ties at the k-th kept).
 */
class TopKSamplerTest {

    @Test
    void frequenciesMatchTheTopKSoftmaxThatExactScoringUses() {
        float[] row = new float[50];
        SplittableRandom values = new SplittableRandom(3);
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) values.nextDouble(-3, 3);
        }
        row[11] = row[12]; // a tie, to be kept or dropped together
        int k = 8;
        double temperature = 0.5;
        TopKSampler sampler = new TopKSampler(temperature, k, 99L);
        int draws = 200_000;
        int[] counts = new int[row.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.choose(row)]++;
        }
        int inTopK = 0;
        for (int t = 0; t < row.length; t++) {
            double p = Math.exp(TargetScorer.logSoftmaxAt(row, t, temperature, k));
            double sd = Math.sqrt(p * (1 - p) / draws);
            assertThat((double) counts[t] / draws).as("token %d, p = %f", t, p).isCloseTo(p,
                    org.assertj.core.api.Assertions.within(5 * sd + 1e-9));
            inTopK += p > 0 ? 1 : 0;
            if (p == 0) {
                assertThat(counts[t]).isZero();
            }
        }
        assertThat(inTopK).isBetween(k, k + 1);
    }

    @Test
    void theSameSeedDrawsTheSameTokensAndAnotherSeedOthers() {
        float[] row = {0.1f, 0.3f, 0.2f, 0.25f, 0.15f, 0.0f};
        TopKSampler a = new TopKSampler(1.0, 6, 7L);
        TopKSampler b = new TopKSampler(1.0, 6, 7L);
        TopKSampler c = new TopKSampler(1.0, 6, 8L);
        int[] fromA = new int[50];
        int[] fromB = new int[50];
        int[] fromC = new int[50];
        for (int i = 0; i < 50; i++) {
            fromA[i] = a.choose(row);
            fromB[i] = b.choose(row);
            fromC[i] = c.choose(row);
        }
        assertThat(fromA).isEqualTo(fromB).isNotEqualTo(fromC);
    }

    @Test
    void topOneIsGreedyAndBadSettingsAreRefused() {
        float[] row = {0.1f, 2.5f, 0.2f, 2.4f};
        TopKSampler one = new TopKSampler(3.0, 1, 1L);
        for (int i = 0; i < 100; i++) {
            assertThat(one.choose(row)).isEqualTo(1);
        }
        assertThatThrownBy(() -> new TopKSampler(0, 5, 1L)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopKSampler(0.5, 0, 1L)).isInstanceOf(IllegalArgumentException.class);
    }
}
