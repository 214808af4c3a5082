package dev.knowgate.model.runtime;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The top-k threshold by heap against sorting, on rows of every shape. */
class KthLargestTest {

    @Test
    void theHeapAgreesWithSortingOnRandomRisingFallingAndTiedRows() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + random.nextInt(trial < 250 ? 50 : 4000);
            float[] row = new float[n];
            for (int i = 0; i < n; i++) {
                row[i] = switch (trial % 4) {
                    case 0 -> (float) random.nextGaussian();
                    case 1 -> i * 0.01f + (float) random.nextGaussian() * 0.1f; // rising, as trained logits often do
                    case 2 -> random.nextInt(5);                                // many ties
                    default -> -i;                                              // falling
                };
            }
            int k = 1 + random.nextInt(Math.min(n, 60));
            float[] sorted = row.clone();
            Arrays.sort(sorted);
            float expected = sorted[n - k];
            assertThat(TargetScorer.kthLargest(row, new float[k])).as("trial %d, n %d, k %d", trial, n, k)
                    .isEqualTo(expected);
        }
    }
}
