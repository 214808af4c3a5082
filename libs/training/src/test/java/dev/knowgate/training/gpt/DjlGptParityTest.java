package dev.knowgate.training.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.ReferenceGpt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.knowgate.training.gpt.GptTestSupport.batch;
import static dev.knowgate.training.gpt.GptTestSupport.create;
import static dev.knowgate.training.gpt.GptTestSupport.maxAbsDiff;
import static dev.knowgate.training.gpt.GptTestSupport.ortLogits;
import static dev.knowgate.training.gpt.GptTestSupport.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DjlGpt's forward pass equals ONNX Runtime on GptOnnxWriter's model.onnx and the plain-Java reference. */
class DjlGptParityTest {

    static final GptConfig CONFIG = GptConfig.of(40, 32, 16, 2, 2, 64);
    static final GptWeights WEIGHTS = GptWeights.random(CONFIG, 7L, 0.3, true);
    static final long[][] ROWS = {
            {5, 9, 12, 3, 7, 7, 21, 33, 1, 39},
            {8, 1, 30, 2},
            {17}};

    static NDManager manager;

    @BeforeAll
    static void start() {
        manager = GptTestSupport.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private float[][][] djl(GptWeights weights, long[][] ids, long[][] mask) {
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, weights)) {
            NDArray logits = gpt.forward(create(m, ids), create(m, mask), false);
            assertThat(logits.getShape()).isEqualTo(new Shape(ids.length, ids[0].length, CONFIG.vocabSize()));
            return toArray(logits);
        }
    }

    @ParameterizedTest(name = "left padding: {0}")
    @ValueSource(booleans = {false, true})
    void paddedBatchMatchesOnnxRuntimeAndReference(boolean leftPadding) throws Exception {
        String padding = leftPadding ? "left" : "right";
        long[][][] b = batch(ROWS, leftPadding);
        float[][][] djl = djl(WEIGHTS, b[0], b[1]);
        double ort = maxAbsDiff(djl, ortLogits(WEIGHTS, b[0], b[1]), b[1]);
        double ref = maxAbsDiff(djl, new ReferenceGpt(WEIGHTS).forward(b[0], b[1]), b[1]);
        System.out.printf("[gpt] %s-padded (10, 4, 1): max|DJL-ORT| = %.3g, max|DJL-reference| = %.3g%n", padding, ort, ref);
        assertThat(ort).as("max |DJL - ORT| on real positions, %s padding (measured %.3g)", padding, ort)
                .isLessThanOrEqualTo(1e-4);
        assertThat(ref).as("max |DJL - ReferenceGpt| on real positions, %s padding (measured %.3g)", padding, ref)
                .isLessThanOrEqualTo(1e-4);
    }

    @Test
    void fullLengthSequencesMatchOnnxRuntime() throws Exception {
        long[][] ids = new long[2][CONFIG.maxPositions()];
        long[][] mask = new long[2][CONFIG.maxPositions()];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 2; i++) {
            for (int t = 0; t < ids[i].length; t++) {
                ids[i][t] = rnd.nextInt(CONFIG.vocabSize());
                mask[i][t] = 1;
            }
        }
        double ort = maxAbsDiff(djl(WEIGHTS, ids, mask), ortLogits(WEIGHTS, ids, mask), mask);
        System.out.printf("[gpt] full length 2 x 32: max|DJL-ORT| = %.3g%n", ort);
        assertThat(ort).as("max |DJL - ORT|, 2 x 32 full (measured %.3g)", ort).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void fromWeightsToWeightsIsBitIdentical() {
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, WEIGHTS)) {
            GptWeights back = gpt.toWeights();
            assertThat(back).isEqualTo(WEIGHTS);
            assertThat(back.names()).containsExactlyElementsOf(WEIGHTS.names());
            assertThat(gpt.parameters().keySet()).containsExactlyElementsOf(WEIGHTS.names());
        }
    }

    @Test
    void dropoutActsOnlyInTrainingMode() {
        long[][][] b = batch(ROWS, false);
        float[][][] plain = djl(WEIGHTS, b[0], b[1]);
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, WEIGHTS).dropout(0.5f)) {
            float[][][] eval = toArray(gpt.forward(create(m, b[0]), create(m, b[1]), false));
            float[][][] train = toArray(gpt.forward(create(m, b[0]), create(m, b[1]), true));
            assertThat(maxAbsDiff(eval, plain, b[1])).isEqualTo(0.0);
            assertThat(maxAbsDiff(train, plain, b[1])).isGreaterThan(1e-3);
        }
    }

    @Test
    void tooLongSequenceIsRefused() {
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, WEIGHTS)) {
            NDArray ids = m.zeros(new Shape(1, 33), ai.djl.ndarray.types.DataType.INT64);
            assertThatThrownBy(() -> gpt.forward(ids, ids.onesLike(), false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPositions");
        }
    }

    /** DjlGpt.gelu (DJL's Activation.gelu) is the exact erf form, not the tanh approximation. */
    @Test
    void geluIsTheExactErfForm() {
        try (NDManager m = manager.newSubManager()) {
            float[] xs = new float[201];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = -5f + i * 0.05f;
            }
            NDArray x = m.create(xs);
            float[] ours = DjlGpt.gelu(x).toFloatArray();
            // the erf form composed from NDArray ops, as in the ONNX graph
            float[] djl = x.mul(x.div((float) Math.sqrt(2)).erf().add(1f)).mul(0.5f).toFloatArray();
            double vsRef = 0;
            double vsDjl = 0;
            for (int i = 0; i < xs.length; i++) {
                vsRef = Math.max(vsRef, Math.abs(ours[i] - ReferenceGpt.gelu(xs[i])));
                vsDjl = Math.max(vsDjl, Math.abs(ours[i] - djl[i]));
            }
            System.out.printf("[gpt] gelu: max|ours-reference| = %.3g, max|ours-composed erf| = %.3g%n", vsRef, vsDjl);
            assertThat(vsRef).as("gelu vs reference erf gelu (measured %.3g)", vsRef).isLessThanOrEqualTo(1e-6);
            assertThat(vsDjl).as("gelu vs composed erf gelu (measured %.3g)", vsDjl).isLessThanOrEqualTo(1e-6);
        }
    }
}
