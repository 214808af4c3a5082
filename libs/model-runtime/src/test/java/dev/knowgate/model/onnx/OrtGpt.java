package dev.knowgate.model.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/** Runs a model.onnx in ONNX Runtime (CPU) for tests. */
final class OrtGpt implements AutoCloseable {

    final OrtEnvironment env = OrtEnvironment.getEnvironment();
    final OrtSession session;

    OrtGpt(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            session = env.createSession(model, options);
        }
    }

    /** Plain variant: logits [b][s][vocab]. */
    float[][][] logits(long[][] ids, long[][] mask) throws OrtException {
        try (OnnxTensor i = OnnxTensor.createTensor(env, ids);
             OnnxTensor m = OnnxTensor.createTensor(env, mask);
             OrtSession.Result r = session.run(Map.of("input_ids", i, "attention_mask", m))) {
            return (float[][][]) r.get("logits").orElseThrow().getValue();
        }
    }

    /** KV variant: all outputs by name (logits float[][][], present.* float[][][][]). */
    Map<String, Object> runKv(long[][] ids, long[][] positions, long[][] mask, Map<String, float[][][][]> past,
                              int layers, int heads, int headDim) throws OrtException {
        return runKv(ids, positions, mask, past, layers, heads, headDim, Map.of());
    }

    /** KV variant with more int64 vector inputs (the scoring variant's selected_rows and top_k). */
    Map<String, Object> runKv(long[][] ids, long[][] positions, long[][] mask, Map<String, float[][][][]> past,
                              int layers, int heads, int headDim, Map<String, long[]> more) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (Map.Entry<String, long[]> e : more.entrySet()) {
                in.put(e.getKey(), OnnxTensor.createTensor(env, e.getValue()));
            }
            in.put("input_ids", OnnxTensor.createTensor(env, ids));
            in.put("position_ids", OnnxTensor.createTensor(env, positions));
            in.put("attention_mask", OnnxTensor.createTensor(env, mask));
            for (int l = 0; l < layers; l++) {
                for (String kind : new String[] {"key", "value"}) {
                    String name = "past_key_values." + l + "." + kind;
                    float[][][][] value = past == null ? null : past.get("present." + l + "." + kind);
                    in.put(name, value == null
                            ? OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                                    new long[] {ids.length, heads, 0, headDim})
                            : OnnxTensor.createTensor(env, value));
                }
            }
            try (OrtSession.Result r = session.run(in)) {
                Map<String, Object> out = new HashMap<>();
                r.forEach(e -> {
                    try {
                        out.put(e.getKey(), e.getValue().getValue());
                    } catch (OrtException ex) {
                        throw new IllegalStateException(ex);
                    }
                });
                return out;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
