package dev.knowgate.model.runtime;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Scores from the selected-rows export's top-k and log-sum-exp outputs against scores from whole
 * logit rows, on rows full of ties (small integers), so the k-th value often has equals beyond the k.
 */
class SelectedScoresTest {

    @Test
    void topKOutputsGiveTheSameScoresAsWholeRowsTiesIncluded() {
        Random random = new Random(11);
        int vocab = 60;
        for (int topK : new int[] {1, 5, 40, 59, 60, 100}) {
            List<ScoringRequest> requests = IntStream.range(0, 20).mapToObj(i -> {
                int[] tokens = random.ints(6 + random.nextInt(5), 0, vocab).toArray();
                return new ScoringRequest(tokens, tokens.length - 1 - random.nextInt(3));
            }).toList();
            int rows = requests.stream().mapToInt(ScoringRequest::targets).sum();
            float[][] logits = new float[rows][vocab];
            for (float[] row : logits) {
                for (int i = 0; i < vocab; i++) {
                    row[i] = random.nextInt(8) * 0.5f; // many ties
                }
            }
            int[] offset = new int[requests.size()];
            for (int b = 1; b < requests.size(); b++) {
                offset[b] = offset[b - 1] + requests.get(b - 1).targets();
            }
            List<TargetScore> expected = TargetScorer.scoreRows(requests, 0.5, topK, vocab, (b, position, into) ->
                    System.arraycopy(logits[offset[b] + position - (requests.get(b).firstTarget() - 1)], 0, into, 0, vocab));
            List<TargetScore> actual = TargetScorer.scoreSelected(requests, offset, 0.5, topK, vocab,
                    selected(logits, Math.min(topK + 1, vocab)));
            for (int b = 0; b < requests.size(); b++) {
                assertThat(actual.get(b).argmax()).as("topK %d, request %d", topK, b).isEqualTo(expected.get(b).argmax());
                for (int t = 0; t < requests.get(b).targets(); t++) {
                    assertThat(actual.get(b).logProb()[t]).isCloseTo(expected.get(b).logProb()[t], within(1e-5));
                    double e = expected.get(b).sampledLogProb()[t];
                    double a = actual.get(b).sampledLogProb()[t];
                    if (Double.isInfinite(e)) {
                        assertThat(a).as("topK %d, request %d, target %d", topK, b, t).isEqualTo(e);
                    } else {
                        assertThat(a).as("topK %d, request %d, target %d", topK, b, t).isCloseTo(e, within(1e-9));
                    }
                }
            }
        }
    }

    /** What ONNX Runtime's TopK and ReduceLogSumExp give: largest first, equal values in index order. */
    private static KvSession.Selected selected(float[][] logits, int width) {
        int vocab = logits[0].length;
        FloatBuffer flat = FloatBuffer.allocate(logits.length * vocab);
        FloatBuffer top = FloatBuffer.allocate(logits.length * width);
        LongBuffer indices = LongBuffer.allocate(logits.length * width);
        FloatBuffer lse = FloatBuffer.allocate(logits.length);
        for (float[] row : logits) {
            flat.put(row);
            Integer[] order = IntStream.range(0, vocab).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -row[i]).thenComparingInt(i -> i));
            for (int i = 0; i < width; i++) {
                top.put(row[order[i]]);
                indices.put(order[i]);
            }
            double max = row[order[0]];
            double sum = 0;
            for (float v : row) {
                sum += Math.exp(v - max);
            }
            lse.put((float) (max + Math.log(sum)));
        }
        return new KvSession.Selected(flat.rewind(), top.rewind(), indices.rewind(), lse.rewind());
    }
}
