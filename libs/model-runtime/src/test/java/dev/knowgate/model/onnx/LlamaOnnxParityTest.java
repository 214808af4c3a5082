package dev.knowgate.model.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.llama.ReferenceLlama;
import dev.knowgate.model.onnx.LlamaOnnxWriter.Options;
import dev.knowgate.model.onnx.LlamaOnnxWriter.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * ONNX Runtime, running the written Llama graph, computes the logits of {@link ReferenceLlama}:
 * grouped-query, multi-query and multi-head attention, tied and untied heads, weights inline or
 * in model.onnx_data, float32 or float16, whole sequences (padded left or right) and a second
 * pass that continues from the first pass's present.* as past_key_values.
 */
class LlamaOnnxParityTest {

    static final double TOLERANCE = 1e-4;
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @TempDir
    Path dir;

    static Stream<Arguments> exports() {
        LlamaConfig grouped = LlamaConfig.of(61, 32, 48, 2, 4, 2, 64, true);
        LlamaConfig multiQuery = LlamaConfig.of(61, 32, 40, 2, 4, 1, 64, false);
        LlamaConfig multiHead = new LlamaConfig(61, 24, 40, 3, 2, 2, 16, 64, 1e-6, 500_000, false, 1, 2);
        return Stream.of(
                Arguments.of("grouped-query, tied, inline fp32", grouped, new Options(false, Precision.FP32)),
                Arguments.of("multi-query, untied, external fp32", multiQuery, new Options(true, Precision.FP32)),
                Arguments.of("multi-head, head_dim 16 of 24, external fp16", multiHead, new Options(true, Precision.FP16)),
                Arguments.of("grouped-query, tied, inline fp16", grouped, new Options(false, Precision.FP16)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exports")
    void wholeSequencesAndCachedContinuationsMatchTheReference(String name, LlamaConfig config, Options options)
            throws Exception {
        // Large weights and perturbed norm gains, so that every parameter moves the logits (O(1)).
        LlamaWeights weights = LlamaWeights.random(config, 11, 0.25, 0.1);
        LlamaOnnxWriter.write(weights, options, dir);
        ReferenceLlama reference = new ReferenceLlama(
                options.precision() == Precision.FP16 ? weights.roundedToHalf() : weights);
        assertThat(Files.exists(dir.resolve(LlamaOnnxWriter.DATA_FILE))).isEqualTo(options.externalData());
        assertThat(LlamaConfig.read(dir.resolve(LlamaConfig.CONFIG_FILE))).isEqualTo(config);

        long[][] ids = {{1, 14, 15, 9, 26, 5, 35, 8}, {0, 0, 0, 1, 7, 60, 8, 3}, {1, 49, 2, 33, 0, 0, 0, 0}};
        long[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0, 0}};
        long[][] positions = positions(mask);
        try (OrtSession session = open(); Run whole = run(session, config, ids, positions, mask, null)) {
            float[][][] logits = (float[][][]) whole.result.get("logits").orElseThrow().getValue();
            for (int b = 0; b < ids.length; b++) {
                float[][] expected = reference.forward(ids[b], positions[b], mask[b]);
                assertClose(logits[b], expected, mask[b], 0, name + " row " + b);
            }

            // Continue rows 0 and 2's first five tokens by three more, from the cache.
            long[][] firstIds = {slice(ids[0], 0, 5), {1, 49, 2, 33, 21}};
            long[][] firstMask = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
            long[][] nextIds = {slice(ids[0], 5, 8), {17, 4, 58}};
            long[][] fullMask = {{1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
            try (Run first = run(session, config, firstIds, positions(firstMask), firstMask, null);
                 Run next = run(session, config, nextIds, new long[][] {{5, 6, 7}, {5, 6, 7}}, fullMask, first)) {
                float[][][] continued = (float[][][]) next.result.get("logits").orElseThrow().getValue();
                long[] present = ((TensorInfo) next.result.get("present.0.key").orElseThrow().getInfo()).getShape();
                assertThat(present).containsExactly(2, config.kvHeads(), 8, config.headDim());
                for (int b = 0; b < 2; b++) {
                    long[] all = concat(firstIds[b], nextIds[b]);
                    float[][] expected = reference.forward(all, new long[] {0, 1, 2, 3, 4, 5, 6, 7}, fullMask[b]);
                    float[][] tail = {expected[5], expected[6], expected[7]};
                    assertClose(continued[b], tail, new long[] {1, 1, 1}, 0, name + " cached row " + b);
                }
            }
        }
    }

    @Test
    void theSessionSeesOptimumsNamesAndTheKeyValueHeadCount() throws Exception {
        LlamaConfig config = LlamaConfig.of(61, 32, 48, 3, 4, 2, 64, true);
        LlamaOnnxWriter.write(LlamaWeights.random(config, 3, 0.02, 0), new Options(true, Precision.FP16), dir);
        try (OrtSession session = open()) {
            assertThat(session.getInputNames()).contains("input_ids", "attention_mask", "position_ids",
                    "past_key_values.0.key", "past_key_values.2.value").hasSize(3 + 2 * 3);
            assertThat(session.getOutputNames()).contains("logits", "present.0.key", "present.2.value").hasSize(1 + 2 * 3);
            TensorInfo past = (TensorInfo) session.getInputInfo().get("past_key_values.1.key").getInfo();
            assertThat(past.getShape()).containsExactly(-1, 2, -1, 8);
            TensorInfo logits = (TensorInfo) session.getOutputInfo().get("logits").getInfo();
            assertThat(logits.getShape()).containsExactly(-1, -1, 61);
        }
        // fp16 halves the data file; each tensor starts on an aligned offset.
        long floats = LlamaWeights.random(config, 3, 0.02, 0).parameterCount();
        assertThat(Files.size(dir.resolve(LlamaOnnxWriter.DATA_FILE))).isBetween(2 * floats,
                2 * floats + (long) LlamaOnnxWriter.ALIGNMENT * LlamaWeights.expectedShapes(config).size());
        assertThat(Files.size(dir.resolve(LlamaOnnxWriter.MODEL_FILE))).isLessThan(64 * 1024);
    }

    private OrtSession open() throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return ENV.createSession(dir.resolve(LlamaOnnxWriter.MODEL_FILE).toString(), options);
        }
    }

    /** A session result with the tensors it was fed, closed together. */
    private record Run(OrtSession.Result result, Map<String, OnnxTensor> inputs) implements AutoCloseable {
        @Override
        public void close() {
            result.close();
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static Run run(OrtSession session, LlamaConfig c, long[][] ids, long[][] positions, long[][] mask, Run past)
            throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(ENV, ids));
        in.put("position_ids", OnnxTensor.createTensor(ENV, positions));
        in.put("attention_mask", OnnxTensor.createTensor(ENV, mask));
        for (int l = 0; l < c.layers(); l++) {
            for (String kind : new String[] {"key", "value"}) {
                in.put("past_key_values." + l + "." + kind, past == null
                        ? OnnxTensor.createTensor(ENV, FloatBuffer.allocate(0), new long[] {ids.length, c.kvHeads(), 0, c.headDim()})
                        : OnnxTensor.createTensor(ENV, (float[][][][]) past.result.get("present." + l + "." + kind)
                                .orElseThrow().getValue()));
            }
        }
        return new Run(session.run(in), in);
    }

    /** position_ids as optimum's generation computes them: cumsum(mask) - 1, padding at 1. */
    private static long[][] positions(long[][] mask) {
        long[][] p = new long[mask.length][];
        for (int b = 0; b < mask.length; b++) {
            p[b] = new long[mask[b].length];
            long cum = 0;
            for (int t = 0; t < mask[b].length; t++) {
                cum += mask[b][t];
                p[b][t] = mask[b][t] == 0 ? 1 : cum - 1;
            }
        }
        return p;
    }

    private static void assertClose(float[][] actual, float[][] expected, long[] mask, int from, String what) {
        double worst = 0;
        for (int t = from; t < expected.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            for (int v = 0; v < expected[t].length; v++) {
                assertThat((double) actual[t][v]).as("%s position %d id %d", what, t, v)
                        .isCloseTo(expected[t][v], within(TOLERANCE));
                worst = Math.max(worst, Math.abs(expected[t][v]));
            }
        }
        assertThat(worst).as("%s: logits must be O(1) for the tolerance to mean something", what).isGreaterThan(0.5);
    }

    private static long[] slice(long[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
