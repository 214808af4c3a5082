package dev.knowgate.model.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.knowgate.model.llama.Half;
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
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * ONNX Runtime, running the written Llama graph, computes the logits of {@link ReferenceLlama}:
 * grouped-query, multi-query and multi-head attention, tied and untied heads, weights inline or
 * in model.onnx_data, float32 or float16 weights behind a float32 or a float16 interface, whole
 * sequences (padded left or right) and a second pass that continues from the first pass's present.*
 * as past_key_values.
 */
class LlamaOnnxParityTest {

    static final double TOLERANCE = 1e-4;
    /**
     * A pass continued from a float16 cache: the logits' own rounding (at most 0.002 below 4) plus
     * what rounding the cached keys and values to float16 moves them (measured: 0.0019 at most).
     */
    static final double CACHED_HALF_TOLERANCE = 4e-3;
    /** Tolerance meaning "the float32 tolerance plus the float16 rounding of the expected value". */
    static final double ROUNDED_TO_HALF = -1;
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
                Arguments.of("grouped-query, tied, inline fp16", grouped, new Options(false, Precision.FP16)),
                Arguments.of("grouped-query, untied, external fp16 with a float16 interface", LlamaConfig.of(61, 32, 40, 2, 4, 2, 64, false),
                        new Options(true, Precision.FP16_IO)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exports")
    void wholeSequencesAndCachedContinuationsMatchTheReference(String name, LlamaConfig config, Options options)
            throws Exception {
        // Large weights and perturbed norm gains, so that every parameter moves the logits (O(1)).
        LlamaWeights weights = LlamaWeights.random(config, 11, 0.25, 0.1);
        LlamaOnnxWriter.write(weights, options, dir);
        ReferenceLlama reference = new ReferenceLlama(
                options.precision() != Precision.FP32 ? weights.roundedToHalf() : weights);
        boolean halfInterface = options.precision() == Precision.FP16_IO;
        assertThat(Files.exists(dir.resolve(LlamaOnnxWriter.DATA_FILE))).isEqualTo(options.externalData());
        assertThat(LlamaConfig.read(dir.resolve(LlamaConfig.CONFIG_FILE))).isEqualTo(config);

        long[][] ids = {{1, 14, 15, 9, 26, 5, 35, 8}, {0, 0, 0, 1, 7, 60, 8, 3}, {1, 49, 2, 33, 0, 0, 0, 0}};
        long[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0, 0}};
        long[][] positions = positions(mask);
        try (OrtSession session = open(); Run whole = run(session, config, ids, positions, mask, null)) {
            float[][][] logits = logits(whole, ids.length, ids[0].length, config.vocabSize());
            for (int b = 0; b < ids.length; b++) {
                float[][] expected = reference.forward(ids[b], positions[b], mask[b]);
                assertClose(logits[b], expected, mask[b], halfInterface ? ROUNDED_TO_HALF : TOLERANCE, name + " row " + b);
            }

            // Continue rows 0 and 2's first five tokens by three more, from the cache.
            long[][] firstIds = {slice(ids[0], 0, 5), {1, 49, 2, 33, 21}};
            long[][] firstMask = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
            long[][] nextIds = {slice(ids[0], 5, 8), {17, 4, 58}};
            long[][] fullMask = {{1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
            try (Run first = run(session, config, firstIds, positions(firstMask), firstMask, null);
                 Run next = run(session, config, nextIds, new long[][] {{5, 6, 7}, {5, 6, 7}}, fullMask, first)) {
                float[][][] continued = logits(next, 2, 3, config.vocabSize());
                TensorInfo present = (TensorInfo) next.result.get("present.0.key").orElseThrow().getInfo();
                assertThat(present.getShape()).containsExactly(2, config.kvHeads(), 8, config.headDim());
                assertThat(present.type).isEqualTo(options.precision() == Precision.FP16_IO
                        ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
                for (int b = 0; b < 2; b++) {
                    long[] all = concat(firstIds[b], nextIds[b]);
                    float[][] expected = reference.forward(all, new long[] {0, 1, 2, 3, 4, 5, 6, 7}, fullMask[b]);
                    float[][] tail = {expected[5], expected[6], expected[7]};
                    assertClose(continued[b], tail, new long[] {1, 1, 1}, halfInterface ? CACHED_HALF_TOLERANCE : TOLERANCE,
                            name + " cached row " + b);
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

    /** A session result with the tensors made for it (not the past it was fed), closed together. */
    private record Run(OrtSession.Result result, List<OnnxTensor> owned) implements AutoCloseable {
        @Override
        public void close() {
            result.close();
            owned.forEach(OnnxTensor::close);
        }
    }

    /** A pass; {@code past}'s present.* tensors are fed back as they are (float32 or float16). */
    private static Run run(OrtSession session, LlamaConfig c, long[][] ids, long[][] positions, long[][] mask, Run past)
            throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        in.put("input_ids", own(owned, OnnxTensor.createTensor(ENV, ids)));
        in.put("position_ids", own(owned, OnnxTensor.createTensor(ENV, positions)));
        in.put("attention_mask", own(owned, OnnxTensor.createTensor(ENV, mask)));
        OnnxJavaType cacheType = ((TensorInfo) session.getInputInfo().get("past_key_values.0.key").getInfo()).type;
        long[] empty = {ids.length, c.kvHeads(), 0, c.headDim()};
        for (int l = 0; l < c.layers(); l++) {
            for (String kind : new String[] {"key", "value"}) {
                in.put("past_key_values." + l + "." + kind, past != null
                        ? (OnnxTensor) past.result.get("present." + l + "." + kind).orElseThrow()
                        : own(owned, cacheType == OnnxJavaType.FLOAT16
                                ? OnnxTensor.createTensor(ENV, ShortBuffer.allocate(0), empty, OnnxJavaType.FLOAT16)
                                : OnnxTensor.createTensor(ENV, FloatBuffer.allocate(0), empty)));
            }
        }
        return new Run(session.run(in), owned);
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    /** The logits [batch, sequence, vocab] as floats, float16 ones widened exactly. */
    private static float[][][] logits(Run run, int batch, int sequence, int vocab) {
        OnnxTensor logits = (OnnxTensor) run.result.get("logits").orElseThrow();
        float[][][] out = new float[batch][sequence][vocab];
        if (logits.getInfo().type == OnnxJavaType.FLOAT16) {
            ShortBuffer halves = logits.getShortBuffer();
            for (int i = 0; i < batch * sequence * vocab; i++) {
                out[i / (sequence * vocab)][i / vocab % sequence][i % vocab] = Half.toFloat(halves.get(i));
            }
        } else {
            FloatBuffer floats = logits.getFloatBuffer();
            for (int i = 0; i < batch * sequence * vocab; i++) {
                out[i / (sequence * vocab)][i / vocab % sequence][i % vocab] = floats.get(i);
            }
        }
        return out;
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

    private static void assertClose(float[][] actual, float[][] expected, long[] mask, double tolerance, String what) {
        double worst = 0;
        for (int t = 0; t < expected.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            for (int v = 0; v < expected[t].length; v++) {
                double allowed = tolerance < 0 ? TOLERANCE + halfRounding(expected[t][v]) : tolerance;
                assertThat((double) actual[t][v]).as("%s position %d id %d", what, t, v)
                        .isCloseTo(expected[t][v], within(allowed));
                worst = Math.max(worst, Math.abs(expected[t][v]));
            }
        }
        assertThat(worst).as("%s: logits must be O(1) for the tolerance to mean something", what).isGreaterThan(0.5);
    }

    /** Half a float16 unit in the last place at {@code value}: what rounding it to float16 may move it. */
    private static double halfRounding(float value) {
        float rounded = Half.toFloat(Half.fromFloat(value));
        return Math.abs(Half.toFloat((short) (Half.fromFloat(Math.abs(rounded)) + 1)) - Math.abs(rounded)) / 2;
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
