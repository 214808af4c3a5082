package dev.knowgate.training.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.llama.ReferenceLlama;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.training.gpt.AdamW;
import dev.knowgate.training.gpt.DjlGpt;
import dev.knowgate.training.gpt.GptTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Llama architecture three ways: DjlLlama (what trains) equals ReferenceLlama (the definition),
 * and a DjlLlama trained for a few steps, exported by LlamaOnnxWriter, equals itself in ONNX Runtime
 * (LlamaOnnxParityTest holds the export to the reference).
 */
class DjlLlamaParityTest {

    static final LlamaConfig GROUPED = LlamaConfig.of(61, 32, 48, 2, 4, 2, 32, true);
    static final LlamaConfig MULTI_QUERY = LlamaConfig.of(61, 24, 40, 2, 4, 1, 32, false);
    static final long[][] ROWS = {{1, 14, 15, 9, 26, 5, 35, 8, 60, 3}, {1, 7, 2, 8}, {17}};

    static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = GptTestSupport.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static float[][][] djl(DjlLlama model, NDManager m, long[][] ids, long[][] mask) {
        return GptTestSupport.toArray(model.forward(GptTestSupport.create(m, ids), GptTestSupport.create(m, mask)));
    }

    private static long[][] positions(long[][] mask) {
        long[][] p = new long[mask.length][mask[0].length];
        for (int b = 0; b < mask.length; b++) {
            long cum = 0;
            for (int t = 0; t < mask[b].length; t++) {
                cum += mask[b][t];
                p[b][t] = Math.max(cum - 1, 0);
            }
        }
        return p;
    }

    @ParameterizedTest(name = "left padding: {0}")
    @ValueSource(booleans = {false, true})
    void forwardEqualsTheReferenceWithGroupedAndMultiQueryAttention(boolean leftPadding) {
        long[][][] batch = GptTestSupport.batch(ROWS, leftPadding);
        long[][] positions = positions(batch[1]);
        for (LlamaConfig config : new LlamaConfig[] {GROUPED, MULTI_QUERY}) {
            LlamaWeights weights = LlamaWeights.random(config, 7L, 0.25, 0.1);
            ReferenceLlama reference = new ReferenceLlama(weights);
            float[][][] expected = new float[ROWS.length][][];
            for (int b = 0; b < ROWS.length; b++) {
                expected[b] = reference.forward(batch[0][b], positions[b], batch[1][b]);
            }
            try (NDManager m = manager.newSubManager(); DjlLlama model = DjlLlama.fromWeights(m, weights)) {
                float[][][] actual = djl(model, m, batch[0], batch[1]);
                assertThat(GptTestSupport.maxAbsDiff(actual, expected, batch[1])).as("%s", config).isLessThan(1e-4);
                assertThat(model.toWeights().tensors()).isEqualTo(weights.tensors());
            }
        }
    }

    @Test
    void aTrainedModelExportsToWhatItComputes() throws Exception {
        long[][][] batch = GptTestSupport.batch(ROWS, false);
        LlamaWeights trained;
        float first;
        float last = 0;
        try (NDManager m = manager.newSubManager();
             DjlLlama model = DjlLlama.fromWeights(m, LlamaWeights.random(GROUPED, 3L, 0.05, 0))) {
            AdamW adam = new AdamW(1e-2f, 0.9f, 0.999f, 1e-8f, 0f);
            NDArray ids = GptTestSupport.create(m, batch[0]);
            NDArray mask = GptTestSupport.create(m, batch[1]);
            first = Float.NaN;
            for (int step = 0; step < 30; step++) {
                try (NDManager stepManager = m.newSubManager();
                     GradientCollector gc = m.getEngine().newGradientCollector()) {
                    for (NDArray p : model.parameters().values()) {
                        try (NDArray g = p.getGradient()) {
                            g.subi(g);
                        }
                    }
                    NDArray loss = DjlGpt.loss(model.forward(ids, mask), ids, mask);
                    loss.attach(stepManager);
                    gc.backward(loss);
                    last = loss.getFloat();
                    first = step == 0 ? last : first;
                }
                adam.step(model.parameters());
            }
            trained = model.toWeights();
            float[][][] djl = djl(model, m, batch[0], batch[1]);
            LlamaOnnxWriter.write(trained, new LlamaOnnxWriter.Options(true, LlamaOnnxWriter.Precision.FP32), dir);
            float[][][] ort = ortLogits(batch[0], positions(batch[1]), batch[1]);
            assertThat(GptTestSupport.maxAbsDiff(djl, ort, batch[1])).isLessThan(1e-4);
        }
        assertThat(last).as("loss after 30 steps (first %s)", first).isLessThan(first * 0.5f);
    }

    private float[][][] ortLogits(long[][] ids, long[][] positions, long[][] mask) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(dir.resolve(LlamaOnnxWriter.MODEL_FILE).toString(), options)) {
            in.put("input_ids", OnnxTensor.createTensor(env, ids));
            in.put("position_ids", OnnxTensor.createTensor(env, positions));
            in.put("attention_mask", OnnxTensor.createTensor(env, mask));
            for (int l = 0; l < GROUPED.layers(); l++) {
                for (String kind : new String[] {"key", "value"}) {
                    in.put("past_key_values." + l + "." + kind, OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                            new long[] {ids.length, GROUPED.kvHeads(), 0, GROUPED.headDim()}));
                }
            }
            try (OrtSession.Result r = session.run(in)) {
                return (float[][][]) r.get("logits").orElseThrow().getValue();
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }
}
