package dev.knowgate.training.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static dev.knowgate.training.gpt.GptTestSupport.batch;
import static dev.knowgate.training.gpt.GptTestSupport.create;
import static dev.knowgate.training.gpt.GptTestSupport.maxAbsDiff;
import static dev.knowgate.training.gpt.GptTestSupport.ortLogits;
import static dev.knowgate.training.gpt.GptTestSupport.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Loss, gradients, AdamW: the model learns, and what it learned exports to ONNX unchanged. */
class DjlGptTrainingTest {

    static final GptConfig CONFIG = GptConfig.of(40, 32, 16, 2, 2, 64);
    /** Distinct first tokens, so every next token is determined by its prefix. */
    static final long[][] ROWS = {
            {3, 5, 9, 12, 3, 7, 7, 21, 33, 2},
            {8, 30, 14, 2},
            {17, 4, 4, 25, 36, 11, 2},
            {22, 6, 2}};

    static NDManager manager;

    @BeforeAll
    static void start() {
        manager = GptTestSupport.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /**
     * Ids the logits leave out count as logits of exactly 0 (zero embedding rows under the tied
     * head): the loss, and its gradient, equal the whole vocabulary's with those columns written out.
     */
    @Test
    void lossWithAbsentIdsIsTheWholeVocabularysLoss() {
        GptWeights w = GptWeights.random(CONFIG, 13L, 0.3, true);
        long[][][] b = batch(ROWS, false);
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, w)) {
            NDArray ids = create(m, b[0]);
            NDArray mask = create(m, b[1]);
            NDArray logits = gpt.forward(ids, mask, false).mul(4f); // confident rows, and some below 0
            NDArray written = logits.concat(m.zeros(new ai.djl.ndarray.types.Shape(logits.getShape().get(0),
                    logits.getShape().get(1), 25)), -1);
            assertThat(DjlGpt.loss(logits, ids, mask, 25).getFloat())
                    .isCloseTo(DjlGpt.loss(written, ids, mask).getFloat(), within(1e-5f));
            assertThat(DjlGpt.loss(logits, ids, mask, 0).getFloat())
                    .isEqualTo(DjlGpt.loss(logits, ids, mask).getFloat());

            logits.setRequiresGradient(true);
            float[] implicit;
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                gc.backward(DjlGpt.loss(logits, ids, mask, 25));
                implicit = logits.getGradient().toFloatArray();
            }
            NDArray again = logits.duplicate();
            again.setRequiresGradient(true);
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray full = again.concat(m.zeros(new ai.djl.ndarray.types.Shape(again.getShape().get(0),
                        again.getShape().get(1), 25)), -1);
                gc.backward(DjlGpt.loss(full, ids, mask));
                float[] explicit = again.getGradient().toFloatArray();
                for (int i = 0; i < explicit.length; i++) {
                    assertThat(implicit[i]).isCloseTo(explicit[i], within(1e-6f));
                }
            }
        }
    }

    @Test
    void lossIsMeanCrossEntropyOfTheMarkedNextTokens() {
        GptWeights w = GptWeights.random(CONFIG, 11L, 0.3, true);
        long[][][] b = batch(ROWS, false);
        long[][] targets = new long[b[1].length][];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = b[1][i].clone();
            targets[i][1] = 0; // an "answer only" style mask: skip the second token
        }
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, w)) {
            NDArray ids = create(m, b[0]);
            NDArray logits = gpt.forward(ids, create(m, b[1]), false);
            float loss = DjlGpt.loss(logits, ids, create(m, targets)).getFloat();
            float[][][] l = toArray(logits);
            double sum = 0;
            int n = 0;
            for (int i = 0; i < targets.length; i++) {
                for (int t = 1; t < targets[i].length; t++) {
                    if (targets[i][t] == 0) {
                        continue;
                    }
                    float[] row = l[i][t - 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (float v : row) {
                        max = Math.max(max, v);
                    }
                    double z = 0;
                    for (float v : row) {
                        z += Math.exp(v - max);
                    }
                    sum += -(row[(int) b[0][i][t]] - max - Math.log(z));
                    n++;
                }
            }
            assertThat((double) loss).isCloseTo(sum / n, within(1e-5));
        }
    }

    @Test
    void gradientsReachEveryParameterAndDoNotAccumulateAcrossSteps() {
        GptWeights w = GptWeights.random(CONFIG, 12L, 0.3, true);
        long[][][] b = batch(ROWS, false);
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, w)) {
            NDArray ids = create(m, b[0]);
            NDArray mask = create(m, b[1]);
            Map<String, float[]> first = gradients(m, gpt, ids, mask);
            Map<String, float[]> second = gradients(m, gpt, ids, mask);
            for (Map.Entry<String, float[]> e : first.entrySet()) {
                float[] g = e.getValue();
                double norm = 0;
                for (float v : g) {
                    norm += v * v;
                }
                assertThat(norm).as("gradient norm of %s", e.getKey()).isGreaterThan(0);
                assertThat(second.get(e.getKey())).as("second gradient of %s", e.getKey()).containsExactly(g);
            }
        }
    }

    @Test
    void clearGradientsUndoesANonFiniteBackwardPass() {
        GptWeights w = GptWeights.random(CONFIG, 12L, 0.3, true);
        long[][][] b = batch(ROWS, false);
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, w)) {
            NDArray ids = create(m, b[0]);
            NDArray mask = create(m, b[1]);
            Map<String, float[]> clean = gradients(m, gpt, ids, mask);
            // A step whose loss is NaN leaves NaN in every gradient (FineTuner skips such a step).
            try (NDManager step = m.newSubManager();
                 GradientCollector gc = m.getEngine().newGradientCollector()) {
                gpt.zeroGradients();
                NDArray loss = DjlGpt.loss(gpt.forward(ids, mask, true), ids, mask).mul(Float.NaN);
                loss.attach(step);
                gc.backward(loss);
            }
            assertThat(gpt.parameters().get("wte").getGradient().isNaN().any().getBoolean()).isTrue();
            assertThat(gradients(m, gpt, ids, mask).get("wte")).as("zeroGradients keeps the NaN").contains(Float.NaN);
            gpt.clearGradients();
            Map<String, float[]> after = gradients(m, gpt, ids, mask);
            for (Map.Entry<String, float[]> e : clean.entrySet()) {
                assertThat(after.get(e.getKey())).as("gradient of %s after a NaN step", e.getKey())
                        .containsExactly(e.getValue());
            }
        }
    }

    /**
     * Autograd keeps what the backward pass needs, for instance the divisor of the attention scores. A
     * collection between forward and backward frees the direct buffers of closed arrays, and the next small
     * allocations reuse that memory: a saved operand that lived in such a buffer (DJL's wrapping of a Java
     * number) then reads as zero, and the query and key gradients became infinite (seen in CI as a NaN loss).
     */
    @Test
    void gradientsDoNotChangeWhenTheJvmCollectsGarbageBetweenForwardAndBackward() throws Exception {
        GptWeights w = GptWeights.random(CONFIG, 12L, 0.3, true);
        long[][][] b = batch(ROWS, false);
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, w)) {
            NDArray ids = create(m, b[0]);
            NDArray mask = create(m, b[1]);
            Map<String, float[]> quiet = gradients(m, gpt, ids, mask);
            for (int round = 0; round < 2; round++) {
                Map<String, float[]> collected = gradients(m, gpt, ids, mask, () -> collectGarbageAndReuseFreedMemory(m));
                for (Map.Entry<String, float[]> e : quiet.entrySet()) {
                    assertThat(collected.get(e.getKey())).as("gradient of %s with a collection before backward", e.getKey())
                            .containsExactly(e.getValue());
                }
            }
        }
    }

    /** Frees the direct buffers of closed arrays, then makes many small native allocations holding zero. */
    private static void collectGarbageAndReuseFreedMemory(NDManager m) {
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(40); // the JDK's cleaner thread frees the buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        try (NDManager junk = m.newSubManager()) {
            for (int i = 0; i < 20_000; i++) {
                junk.create(0f);
            }
        }
    }

    private static Map<String, float[]> gradients(NDManager m, DjlGpt gpt, NDArray ids, NDArray mask) {
        return gradients(m, gpt, ids, mask, () -> { });
    }

    private static Map<String, float[]> gradients(NDManager m, DjlGpt gpt, NDArray ids, NDArray mask,
                                                  Runnable beforeBackward) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager step = m.newSubManager();
             GradientCollector gc = m.getEngine().newGradientCollector()) {
            gpt.zeroGradients();
            NDArray loss = DjlGpt.loss(gpt.forward(ids, mask, true), ids, mask);
            loss.attach(step);
            beforeBackward.run();
            gc.backward(loss);
            for (Map.Entry<String, NDArray> e : gpt.parameters().entrySet()) {
                try (NDArray g = e.getValue().getGradient()) {
                    out.put(e.getKey(), g.toFloatArray());
                }
            }
        }
        return out;
    }

    @Test
    void trainingStepsAndForwardPassesLeaveNoArraysBehind() throws Exception {
        long[][][] b = batch(ROWS, false);
        try (NDManager m = manager.newSubManager();
             DjlGpt gpt = DjlGpt.fromWeights(m, GptWeights.random(CONFIG, 14L));
             AdamW adam = AdamW.withLearningRate(1e-3f)) {
            NDArray ids = create(m, b[0]);
            NDArray mask = create(m, b[1]);
            gpt.trainStep(adam, ids, mask, mask);
            NDManager params = gpt.parameters().get("wte").getManager();
            int dataBefore = resources(m);
            int paramsBefore = resources(params);
            for (int i = 0; i < 20; i++) {
                gpt.trainStep(adam, ids, mask, mask);
                try (NDArray logits = gpt.forward(ids, mask, false); NDArray loss = DjlGpt.loss(logits, ids, mask)) {
                    assertThat(loss.getFloat()).isFinite();
                }
            }
            assertThat(resources(m)).as("arrays in the data manager").isEqualTo(dataBefore);
            assertThat(resources(params)).as("arrays in the parameter manager").isEqualTo(paramsBefore);
        }
    }

    private static int resources(NDManager m) throws Exception {
        java.lang.reflect.Field f = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((Map<?, ?>) f.get(m)).size();
    }

    @Test
    void adamWLearnsTheSequencesAndTheTrainedModelExportsToOnnxUnchanged() throws Exception {
        GptWeights init = GptWeights.random(CONFIG, 13L);
        long[][][] b = batch(ROWS, false);
        try (NDManager m = manager.newSubManager(); DjlGpt gpt = DjlGpt.fromWeights(m, init);
             AdamW adam = AdamW.withLearningRate(1e-2f)) {
            NDArray ids = create(m, b[0]);
            NDArray mask = create(m, b[1]);
            float start = gpt.trainStep(adam, ids, mask, mask);
            float last = start;
            long t0 = System.nanoTime();
            for (int i = 1; i < 200; i++) {
                last = gpt.trainStep(adam, ids, mask, mask);
                if (i % 50 == 0) {
                    System.out.printf("[gpt] step %d loss %.4f, %d ms so far%n", i, last, (System.nanoTime() - t0) / 1_000_000);
                }
            }
            float end;
            float[][][] djl;
            try (NDArray logits = gpt.forward(ids, mask, false); NDArray loss = DjlGpt.loss(logits, ids, mask)) {
                end = loss.getFloat();
                djl = toArray(logits);
            }
            System.out.printf("[gpt] training 200 AdamW steps: loss %.4f -> %.4f (last step %.4f)%n", start, end, last);
            assertThat(end).as("loss after 200 steps vs start %.4f", start).isLessThan(0.3f * start);

            // Greedy argmax reproduces every training target.
            for (int i = 0; i < ROWS.length; i++) {
                for (int t = 1; t < ROWS[i].length; t++) {
                    float[] row = djl[i][t - 1];
                    int arg = 0;
                    for (int v = 1; v < row.length; v++) {
                        if (row[v] > row[arg]) {
                            arg = v;
                        }
                    }
                    assertThat(arg).as("argmax at row %d position %d", i, t - 1).isEqualTo((int) ROWS[i][t]);
                }
            }

            // The trainer's output is what categorization will run.
            GptWeights trained = gpt.toWeights();
            assertThat(trained).isNotEqualTo(init);
            byte[] onnx = GptOnnxWriter.toBytes(trained);
            assertThat(GptOnnxReader.read(onnx).weights()).isEqualTo(trained);
            double diff = maxAbsDiff(djl, ortLogits(trained, b[0], b[1]), b[1]);
            System.out.printf("[gpt] trained-and-exported: max|DJL-ORT| = %.3g%n", diff);
            assertThat(diff).as("max |DJL - ORT| of the trained model (measured %.3g)", diff).isLessThanOrEqualTo(1e-4);

            // Re-loading the exported weights into DJL gives the same logits again, bit for bit.
            try (DjlGpt again = DjlGpt.fromWeights(m, GptOnnxReader.read(onnx).weights());
                 NDArray logits = again.forward(ids, mask, false)) {
                assertThat(maxAbsDiff(toArray(logits), djl, b[1])).isEqualTo(0.0);
            }
        }
    }
}
