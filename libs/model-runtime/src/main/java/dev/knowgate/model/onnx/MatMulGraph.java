package dev.knowgate.model.onnx;

import java.util.Random;

/**
 * A model of one MatMul, input x [rows, k] times a random weight [k, n], output y [rows, n]: ONNX
 * Runtime's own speed at a model's shapes, the reference benchmarks compare a whole model's
 * achieved FLOP/s to.
 */
public final class MatMulGraph {

    private static final int FLOAT = 1;

    private MatMulGraph() {
    }

    public static byte[] toBytes(int k, int n, long seed) {
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        g.input("x", FLOAT, "rows", (long) k);
        g.output("y", FLOAT, "rows", (long) n);
        float[] weight = new float[k * n];
        Random random = new Random(seed);
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextGaussian() * 0.02f;
        }
        g.initializer("w", new int[] {k, n}, weight);
        g.node("MatMul", new String[] {"x", "w"}, new String[] {"y"});
        ProtoMessage model = new ProtoMessage(weight.length * 4 + (1 << 12));
        model.int64(1, GptOnnxWriter.IR_VERSION);
        model.string(2, GptOnnxWriter.PRODUCER);
        model.message(7, g.build("matmul"));
        model.message(8, new ProtoMessage().string(1, "").int64(2, GptOnnxWriter.OPSET));
        return model.toByteArray();
    }
}
