package dev.knowgate.training.gpt;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxWriter;

import java.util.Map;

/** Shared helpers: the DJL engine (started once, timed), ONNX Runtime logits, padded batches. */
public final class GptTestSupport {

    private static Engine engine;
    static long engineStartMillis = -1;
    static int defaultThreads = 1;

    private GptTestSupport() {
    }

    public static synchronized NDManager newManager() {
        if (engine == null) {
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            long t0 = System.nanoTime();
            engine = Engine.getEngine("PyTorch");
            try (NDManager m = engine.newBaseManager()) {
                m.ones(new ai.djl.ndarray.types.Shape(2, 2)).matMul(m.ones(new ai.djl.ndarray.types.Shape(2, 2)))
                        .toFloatArray();
            }
            engineStartMillis = (System.nanoTime() - t0) / 1_000_000;
            defaultThreads = DjlGpt.torchThreads();
            // Micro models: one thread is faster and immune to OpenMP spin-waits when the 2 cores are shared.
            DjlGpt.setTorchThreads(1);
            System.out.println("[gpt] DJL " + engine.getEngineName() + " " + engine.getVersion()
                    + " start-up (engine load + first op): " + engineStartMillis + " ms");
        }
        return engine.newBaseManager();
    }

    /** ONNX Runtime logits of GptOnnxWriter's plain model.onnx for these weights (written in memory). */
    static float[][][] ortLogits(GptWeights weights, long[][] ids, long[][] mask) throws Exception {
        byte[] bytes = GptOnnxWriter.toBytes(weights);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(bytes, options);
             OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
             OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
             OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT))) {
            return (float[][][]) result.get("logits").orElseThrow().getValue();
        }
    }

    public static float[][][] toArray(NDArray logits) {
        long[] shape = logits.getShape().getShape();
        int b = (int) shape[0];
        int s = (int) shape[1];
        int v = (int) shape[2];
        float[] flat = logits.toFloatArray();
        float[][][] out = new float[b][s][v];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < s; t++) {
                System.arraycopy(flat, (i * s + t) * v, out[i][t], 0, v);
            }
        }
        return out;
    }

    /** Max |a - b| over the positions where mask == 1. */
    public static double maxAbsDiff(float[][][] a, float[][][] b, long[][] mask) {
        double max = 0;
        for (int i = 0; i < mask.length; i++) {
            for (int t = 0; t < mask[i].length; t++) {
                if (mask[i][t] == 0) {
                    continue;
                }
                for (int v = 0; v < a[i][t].length; v++) {
                    max = Math.max(max, Math.abs(a[i][t][v] - b[i][t][v]));
                }
            }
        }
        return max;
    }

    /** Right-padded (or left-padded) batch of the given lengths, padded with token 0 to the longest. */
    public static long[][][] batch(long[][] rows, boolean leftPad) {
        int s = 0;
        for (long[] r : rows) {
            s = Math.max(s, r.length);
        }
        long[][] ids = new long[rows.length][s];
        long[][] mask = new long[rows.length][s];
        for (int i = 0; i < rows.length; i++) {
            int off = leftPad ? s - rows[i].length : 0;
            for (int t = 0; t < rows[i].length; t++) {
                ids[i][off + t] = rows[i][t];
                mask[i][off + t] = 1;
            }
        }
        return new long[][][] {ids, mask};
    }

    static long[] flat(long[][] a) {
        long[] out = new long[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
        }
        return out;
    }

    public static NDArray create(NDManager m, long[][] a) {
        return m.create(flat(a), new ai.djl.ndarray.types.Shape(a.length, a[0].length));
    }
}
