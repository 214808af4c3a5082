package dev.knowgate.model.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.ReferenceGpt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ONNX Runtime, running the written graph, computes the same logits as {@link ReferenceGpt}. */
class GptOnnxParityTest {

    static final GptConfig C = GptConfig.of(50, 32, 16, 2, 2, 64);
    static final double TOLERANCE = 1e-4;
    static GptWeights weights;
    static ReferenceGpt reference;
    static OrtGpt ort;

    @BeforeAll
    static void setUp() throws Exception {
        // Larger than GPT-2's 0.02 init and perturbed norms/biases, so every parameter moves the logits (O(1)).
        weights = GptWeights.random(C, 42, 0.3, true);
        reference = new ReferenceGpt(weights);
        ort = new OrtGpt(GptOnnxWriter.toBytes(weights));
    }

    @AfterAll
    static void tearDown() throws Exception {
        ort.close();
    }

    @Test
    void onnxRuntimeSeesTheDeclaredInputsOutputsAndMetadata() throws Exception {
        assertThat(ort.session.getInputNames()).containsExactlyInAnyOrder("input_ids", "attention_mask");
        assertThat(ort.session.getOutputNames()).containsExactly("logits");
        TensorInfo ids = (TensorInfo) ort.session.getInputInfo().get("input_ids").getInfo();
        assertThat(ids.type).isEqualTo(OnnxJavaType.INT64);
        assertThat(ids.getShape()).containsExactly(-1, -1);
        assertThat(ids.getDimensionNames()).containsExactly("batch", "sequence");
        TensorInfo logits = (TensorInfo) ort.session.getOutputInfo().get("logits").getInfo();
        assertThat(logits.type).isEqualTo(OnnxJavaType.FLOAT);
        assertThat(logits.getShape()).containsExactly(-1, -1, C.vocabSize());
        Map<String, String> meta = ort.session.getMetadata().getCustomMetadata();
        assertThat(meta).containsEntry(GptOnnxWriter.META_CONFIG, C.toJson())
                .containsEntry(GptOnnxWriter.META_VARIANT, "plain");
        assertThat(ort.session.getMetadata().getProducerName()).isEqualTo("knowgate");
    }

    @Test
    void rightPaddedBatchMatchesReference() throws Exception {
        long[][] ids = {
                {3, 14, 15, 9, 26, 5, 35, 8, 9, 7},
                {2, 7, 1, 8, 0, 0, 0, 0, 0, 0},
                {49, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        };
        long[][] mask = {
                {1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
                {1, 1, 1, 1, 0, 0, 0, 0, 0, 0},
                {1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        };
        double diff = maxAbsDiff(ort.logits(ids, mask), reference.forward(ids, mask), mask);
        System.out.printf("parity right padding: max |ort - reference| = %.3g%n", diff);
        assertThat(diff).isLessThan(TOLERANCE);
    }

    @Test
    void leftPaddedBatchMatchesReferenceAndUnpaddedRun() throws Exception {
        long[][] ids = {
                {0, 0, 0, 0, 11, 22, 33, 44},
                {5, 6, 7, 8, 9, 10, 11, 12},
                {0, 0, 0, 0, 0, 0, 0, 31},
        };
        long[][] mask = {
                {0, 0, 0, 0, 1, 1, 1, 1},
                {1, 1, 1, 1, 1, 1, 1, 1},
                {0, 0, 0, 0, 0, 0, 0, 1},
        };
        float[][][] got = ort.logits(ids, mask);
        double diff = maxAbsDiff(got, reference.forward(ids, mask), mask);
        System.out.printf("parity left padding: max |ort - reference| = %.3g%n", diff);
        assertThat(diff).isLessThan(TOLERANCE);

        // Left padding is invisible: same logits as the unpadded sequence on its own.
        float[][][] alone = ort.logits(new long[][] {{11, 22, 33, 44}}, new long[][] {{1, 1, 1, 1}});
        for (int t = 0; t < 4; t++) {
            for (int v = 0; v < C.vocabSize(); v++) {
                assertThat((double) Math.abs(got[0][t + 4][v] - alone[0][t][v])).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void fullLengthSequenceMatchesReference() throws Exception {
        long[][] ids = new long[2][C.maxPositions()];
        long[][] mask = new long[2][C.maxPositions()];
        for (int t = 0; t < C.maxPositions(); t++) {
            ids[0][t] = (t * 7 + 3) % C.vocabSize();
            ids[1][t] = (t * 13 + 1) % C.vocabSize();
            mask[0][t] = 1;
            mask[1][t] = 1;
        }
        double diff = maxAbsDiff(ort.logits(ids, mask), reference.forward(ids, mask), mask);
        System.out.printf("parity max length: max |ort - reference| = %.3g%n", diff);
        assertThat(diff).isLessThan(TOLERANCE);
    }

    @Test
    void laterTokensDoNotChangeEarlierLogits() throws Exception {
        long[][] mask = {{1, 1, 1, 1, 1, 1}};
        float[][][] a = ort.logits(new long[][] {{4, 8, 15, 16, 23, 42}}, mask);
        float[][][] b = ort.logits(new long[][] {{4, 8, 15, 16, 23, 1}}, mask);
        float[][][] c = ort.logits(new long[][] {{4, 8, 15, 30, 31, 32}}, mask);
        for (int t = 0; t < 5; t++) {
            assertThat(b[0][t]).containsExactly(a[0][t]);
        }
        for (int t = 0; t < 3; t++) {
            for (int v = 0; v < C.vocabSize(); v++) {
                assertThat((double) Math.abs(c[0][t][v] - a[0][t][v])).isLessThan(1e-6);
            }
        }
        assertThat(b[0][5]).isNotEqualTo(a[0][5]);
        assertThat(c[0][3]).isNotEqualTo(a[0][3]);
    }

    @Test
    void kvCacheVariantWithEmptyPastMatchesReference() throws Exception {
        long[][] ids = {{3, 14, 15, 9, 26}, {2, 7, 1, 0, 0}};
        long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
        long[][] pos = {{0, 1, 2, 3, 4}, {0, 1, 2, 2, 2}};
        try (OrtGpt kv = new OrtGpt(GptOnnxWriter.toBytes(weights, GptOnnxWriter.Variant.KV_CACHE, Map.of()))) {
            Map<String, Object> out = kv.runKv(ids, pos, mask, null, C.nLayers(), C.nHeads(), C.headDim());
            double diff = maxAbsDiff((float[][][]) out.get("logits"), reference.forward(ids, mask), mask);
            System.out.printf("parity kv-cache, empty past: max |ort - reference| = %.3g%n", diff);
            assertThat(diff).isLessThan(TOLERANCE);
            float[][][][] present = (float[][][][]) out.get("present.1.value");
            assertThat(present.length).isEqualTo(2);
            assertThat(present[0].length).isEqualTo(C.nHeads());
            assertThat(present[0][0].length).isEqualTo(5);
            assertThat(present[0][0][0].length).isEqualTo(C.headDim());
        }
    }

    @Test
    void kvCacheVariantFedPresentsOfAPrefixGivesTheFullSequenceLogits() throws Exception {
        long[] full = {7, 1, 44, 23, 9, 12, 30, 2};
        int prefix = 5;
        float[][] expected = reference.forwardOne(full, new long[] {1, 1, 1, 1, 1, 1, 1, 1});
        try (OrtGpt kv = new OrtGpt(GptOnnxWriter.toBytes(weights, GptOnnxWriter.Variant.KV_CACHE, Map.of()))) {
            long[][] ids = {java.util.Arrays.copyOf(full, prefix)};
            Map<String, Object> first = kv.runKv(ids, new long[][] {{0, 1, 2, 3, 4}}, new long[][] {{1, 1, 1, 1, 1}},
                    null, C.nLayers(), C.nHeads(), C.headDim());
            @SuppressWarnings("unchecked")
            Map<String, float[][][][]> past = (Map<String, float[][][][]>) (Map<String, ?>) first;
            double diff = 0;
            // decode the remaining tokens one at a time, each time feeding the previous presents
            for (int t = prefix; t < full.length; t++) {
                long[][] mask = {new long[t + 1]};
                java.util.Arrays.fill(mask[0], 1);
                Map<String, Object> step = kv.runKv(new long[][] {{full[t]}}, new long[][] {{t}}, mask, past,
                        C.nLayers(), C.nHeads(), C.headDim());
                float[] got = ((float[][][]) step.get("logits"))[0][0];
                for (int v = 0; v < C.vocabSize(); v++) {
                    diff = Math.max(diff, Math.abs(got[v] - expected[t][v]));
                }
                assertThat(((float[][][][]) step.get("present.0.key"))[0][0].length).isEqualTo(t + 1);
                @SuppressWarnings("unchecked")
                Map<String, float[][][][]> next = (Map<String, float[][][][]>) (Map<String, ?>) step;
                past = next;
            }
            System.out.printf("parity kv-cache, incremental decoding: max |ort - reference| = %.3g%n", diff);
            assertThat(diff).isLessThan(TOLERANCE);
        }
    }

    @Test
    void scoringVariantGivesTheReferenceLogitsAtTheSelectedRowsOnAPaddedBatchAndOnItsCache() throws Exception {
        // Its attention and layer norms are ONNX Runtime's fused operators, not the plain graph's.
        long[][] ids = {{7, 1, 44, 23, 9}, {2, 7, 1, 0, 0}};
        long[][] mask = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
        long[][] pos = {{0, 1, 2, 3, 4}, {0, 1, 2, 2, 2}};
        float[][][] expected = reference.forward(ids, mask);
        long[] rows = {0, 2, 4, 5, 7}; // flattened [batch x sequence]: three of the first, two of the second
        long[] topK = {3};
        try (OrtGpt kv = new OrtGpt(GptOnnxWriter.toBytes(weights, GptOnnxWriter.Variant.KV_SCORING, Map.of()))) {
            Map<String, Object> out = kv.runKv(ids, pos, mask, null, C.nLayers(), C.nHeads(), C.headDim(),
                    Map.of("selected_rows", rows, "top_k", topK));
            float[][] got = (float[][]) out.get("selected_logits");
            float[] logSumExp = (float[]) out.get("selected_logsumexp");
            float[][] top = (float[][]) out.get("selected_top_values");
            double diff = 0;
            for (int r = 0; r < rows.length; r++) {
                float[] want = expected[(int) rows[r] / 5][(int) rows[r] % 5];
                double sum = 0;
                float max = Float.NEGATIVE_INFINITY;
                for (int v = 0; v < C.vocabSize(); v++) {
                    diff = Math.max(diff, Math.abs(got[r][v] - want[v]));
                    sum += Math.exp(want[v]);
                    max = Math.max(max, want[v]);
                }
                assertThat(logSumExp[r]).isCloseTo((float) Math.log(sum), org.assertj.core.data.Offset.offset(1e-4f));
                assertThat(top[r][0]).isCloseTo(max, org.assertj.core.data.Offset.offset(1e-4f));
            }
            System.out.printf("parity kv-scoring, padded batch: max |ort - reference| = %.3g%n", diff);
            assertThat(diff).isLessThan(TOLERANCE);

            // The first sequence goes on over its cache: two more tokens, both rows read.
            long[] full = {7, 1, 44, 23, 9, 12, 30};
            float[][] whole = reference.forwardOne(full, new long[] {1, 1, 1, 1, 1, 1, 1});
            Map<String, float[][][][]> past = new java.util.HashMap<>();
            out.forEach((name, value) -> {
                if (name.startsWith("present.")) {
                    past.put(name, new float[][][][] {((float[][][][]) value)[0]});
                }
            });
            Map<String, Object> next = kv.runKv(new long[][] {{12, 30}}, new long[][] {{5, 6}},
                    new long[][] {{1, 1, 1, 1, 1, 1, 1}}, past, C.nLayers(), C.nHeads(), C.headDim(),
                    Map.of("selected_rows", new long[] {0, 1}, "top_k", topK));
            float[][] cont = (float[][]) next.get("selected_logits");
            double cached = 0;
            for (int t = 0; t < 2; t++) {
                for (int v = 0; v < C.vocabSize(); v++) {
                    cached = Math.max(cached, Math.abs(cont[t][v] - whole[5 + t][v]));
                }
            }
            assertThat(((float[][][][]) next.get("present.1.key"))[0][0].length).isEqualTo(7);
            System.out.printf("parity kv-scoring, on its cache: max |ort - reference| = %.3g%n", cached);
            assertThat(cached).isLessThan(TOLERANCE);
        }
    }

    /** Max |a - b| over positions whose mask is 1. */
    static double maxAbsDiff(float[][][] a, float[][][] b, long[][] mask) {
        assertThat(a.length).isEqualTo(b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i].length).isEqualTo(b[i].length);
            for (int t = 0; t < a[i].length; t++) {
                if (mask[i][t] == 0) {
                    continue;
                }
                assertThat(a[i][t].length).isEqualTo(C.vocabSize());
                for (int v = 0; v < a[i][t].length; v++) {
                    max = Math.max(max, Math.abs(a[i][t][v] - b[i][t][v]));
                }
            }
        }
        return max;
    }
}
