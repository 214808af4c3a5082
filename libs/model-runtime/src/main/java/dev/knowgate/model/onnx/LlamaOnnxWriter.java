package dev.knowgate.model.onnx;

import dev.knowgate.model.gpt.GptWeights.Tensor;
import dev.knowgate.model.llama.Half;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.llama.ReferenceLlama;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.knowgate.model.onnx.OnnxGraphBuilder.Attr;

import static dev.knowgate.model.onnx.OnnxGraphBuilder.FLOAT;
import static dev.knowgate.model.onnx.OnnxGraphBuilder.FLOAT16;
import static dev.knowgate.model.onnx.OnnxGraphBuilder.INT64;

/**
 * Writes a {@link LlamaWeights} model as optimum's {@code text-generation-with-past} export of
 * {@code LlamaForCausalLM} lays it out: one {@code model.onnx} with inputs {@code input_ids},
 * {@code attention_mask} [batch, past_sequence + sequence], {@code position_ids} and
 * {@code past_key_values.{i}.key/.value} [batch, num_key_value_heads, past_sequence, head_dim];
 * outputs {@code logits} and {@code present.{i}.key/.value}; initializers under the Hugging Face
 * names; {@code config.json} and {@code generation_config.json} beside it. The graph computes what
 * {@link ReferenceLlama} computes (docs/onnx-export.md, "Llama-architecture exports").
 *
 * <p>Weights are inline, or in {@code model.onnx_data} (the external-data layout optimum switches
 * to past 2 GB); float32, or float16 cast to float32 when the session loads (inputs, outputs and
 * arithmetic stay float32, so the runtime's buffers do not change), or float16 behind float16
 * cache inputs, logits and cache outputs, the interface of optimum's {@code --dtype fp16} export
 * (the arithmetic inside stays float32, so it runs on any CPU).
 */
public final class LlamaOnnxWriter {

    public static final String MODEL_FILE = "model.onnx";
    public static final String DATA_FILE = "model.onnx_data";
    public static final String FORMAT_VERSION = "1";
    /** Offsets in the data file are multiples of this, as onnx's external-data helper aligns them. */
    static final int ALIGNMENT = 4096;

    /**
     * How the weights are stored, and the element type of the float inputs and outputs: float32
     * throughout; float16 weights behind a float32 interface; or float16 weights and a float16
     * interface (past_key_values, logits, present), as optimum's {@code --dtype fp16} declares it.
     */
    public enum Precision {
        FP32, FP16, FP16_IO;

        boolean halfWeights() {
            return this != FP32;
        }
    }

    /**
     * @param externalData weights in {@value #DATA_FILE} rather than inline
     * @param precision    float32 or float16 weights
     */
    public record Options(boolean externalData, Precision precision) {
        public Options {
            Objects.requireNonNull(precision, "precision");
        }

        public static Options inline() {
            return new Options(false, Precision.FP32);
        }
    }

    private LlamaOnnxWriter() {
    }

    /** Writes model.onnx (and model.onnx_data), config.json and generation_config.json into {@code dir}. */
    public static void write(LlamaWeights weights, Options options, Path dir) throws IOException {
        Objects.requireNonNull(weights, "weights");
        Files.createDirectories(dir);
        LlamaConfig c = weights.config();
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        int type = options.precision().halfWeights() ? FLOAT16 : FLOAT;
        if (options.externalData()) {
            Path data = dir.resolve(DATA_FILE);
            Path tmp = Files.createTempFile(dir, DATA_FILE, ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    long offset = 0;
                    for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
                        byte[] raw = bytes(e.getValue().data(), options.precision());
                        long padding = (ALIGNMENT - offset % ALIGNMENT) % ALIGNMENT;
                        out.write(new byte[(int) padding]);
                        offset += padding;
                        g.externalInitializer(e.getKey(), e.getValue().shape(), type, DATA_FILE, offset, raw.length);
                        out.write(raw);
                        offset += raw.length;
                    }
                }
                Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } else {
            Files.deleteIfExists(dir.resolve(DATA_FILE));
            for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
                g.initializer(e.getKey(), e.getValue().shape(), type, bytes(e.getValue().data(), options.precision()));
            }
        }
        buildGraph(g, c, options.precision());
        ProtoMessage model = new ProtoMessage(options.externalData() ? 1 << 16
                : Math.toIntExact(weights.parameterCount() * (type == FLOAT ? 4 : 2) + (1 << 16)));
        model.int64(1, GptOnnxWriter.IR_VERSION);
        model.string(2, GptOnnxWriter.PRODUCER);
        model.string(3, FORMAT_VERSION);
        model.string(6, "knowgate Llama-architecture decoder in optimum's text-generation-with-past layout");
        model.message(7, g.build("knowgate_llama"));
        model.message(8, new ProtoMessage().string(1, "").int64(2, GptOnnxWriter.OPSET));
        byte[] bytes = model.toByteArray();
        Path tmp = Files.createTempFile(dir, MODEL_FILE, ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, dir.resolve(MODEL_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        c.writeTo(dir);
    }

    private static byte[] bytes(float[] data, Precision precision) {
        if (precision == Precision.FP32) {
            ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(data);
            return buf.array();
        }
        ByteBuffer buf = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            buf.putShort(Half.fromFloat(f));
        }
        return buf.array();
    }

    private static void buildGraph(OnnxGraphBuilder g, LlamaConfig c, Precision precision) {
        boolean half = precision.halfWeights();
        int io = precision == Precision.FP16_IO ? FLOAT16 : FLOAT;
        int heads = c.heads();
        int kvHeads = c.kvHeads();
        int dh = c.headDim();
        int group = c.groupSize();

        g.input("input_ids", INT64, "batch", "sequence");
        g.input("attention_mask", INT64, "batch", "past_sequence + sequence");
        g.input("position_ids", INT64, "batch", "sequence");
        for (int i = 0; i < c.layers(); i++) {
            g.input("past_key_values." + i + ".key", io, "batch", (long) kvHeads, "past_sequence", (long) dh);
            g.input("past_key_values." + i + ".value", io, "batch", (long) kvHeads, "past_sequence", (long) dh);
        }
        g.output("logits", io, "batch", "sequence", (long) c.vocabSize());
        for (int i = 0; i < c.layers(); i++) {
            g.output("present." + i + ".key", io, "batch", (long) kvHeads, "past_sequence + sequence", (long) dh);
            g.output("present." + i + ".value", io, "batch", (long) kvHeads, "past_sequence + sequence", (long) dh);
        }


        g.scope("const.");
        String zeroI = g.constInt64Scalar(0);
        String oneI = g.constInt64Scalar(1);
        String axes0 = g.constInt64Vector(0);
        String axes1 = g.constInt64Vector(1);
        String axes2 = g.constInt64Vector(2);
        String axes3 = g.constInt64Vector(3);
        String axes12 = g.constInt64Vector(1, 2);
        String zeroF = g.constFloatScalar(0f);
        String eps = g.constFloatScalar((float) c.rmsNormEps());
        String scale = g.constFloatScalar((float) (1 / Math.sqrt(dh)));
        String maskValue = g.constFloatScalar(-1e9f);
        String firstHalf = g.constInt64Vector(0);
        String middle = g.constInt64Vector(dh / 2);
        String end = g.constInt64Vector(dh);
        String qShape = g.constInt64Vector(0, 0, heads, dh);
        String kvShape = g.constInt64Vector(0, 0, kvHeads, dh);
        String mergedShape = g.constInt64Vector(0, 0, (long) heads * dh);
        String groupedShape = group > 1 ? g.constInt64Vector(0, kvHeads, -1, dh) : null;
        String headsShape = group > 1 ? g.constInt64Vector(0, heads, -1, dh) : null;
        float[] invFreq = new float[dh / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = (float) Math.pow(c.ropeTheta(), -2.0 * i / dh);
        }
        String frequencies = g.constFloatVector(invFreq);

        Map<String, String> floats = new HashMap<>();
        Function<String, String> weight = name -> floats.computeIfAbsent(name,
                n -> half ? g.op("Cast", n, Attr.i("to", FLOAT)) : n);
        Function<String, String> transposed = name -> {
            String value = weight.apply(name); // not inside computeIfAbsent: it writes the same map
            return floats.computeIfAbsent(name + "^T", n -> g.op("Transpose", value, Attr.ints("perm", 1, 0)));
        };

        // Rotary tables [batch, 1, sequence, head_dim]: angle = position * inv_freq, both halves alike.
        g.scope("rope.");
        String angles = g.op("Mul", g.op("Unsqueeze", g.op("Cast", "position_ids", Attr.i("to", FLOAT)), axes2),
                frequencies);
        angles = g.op("Concat", new String[] {angles, angles}, Attr.i("axis", -1));
        String cos = g.op("Unsqueeze", g.op("Cos", angles), axes1);
        String sin = g.op("Unsqueeze", g.op("Sin", angles), axes1);

        g.scope("mask.");
        String bias = g.causalPaddingBias(true, zeroI, oneI, axes0, axes1, axes12, maskValue, zeroF);
        if (group > 1) {
            // Query rows are regrouped [batch, kv_heads, group * sequence]: the bias repeats per group.
            String[] copies = new String[group];
            Arrays.fill(copies, bias);
            bias = g.op("Concat", copies, Attr.i("axis", 2));
        }

        g.scope("embed.");
        String x = g.op("Gather", weight.apply(LlamaWeights.EMBED), "input_ids", Attr.i("axis", 0));
        for (int i = 0; i < c.layers(); i++) {
            String p = LlamaWeights.layer(i);
            g.scope(p + "self_attn.");
            String h = rmsNorm(g, x, weight.apply(p + "input_layernorm.weight"), eps, axesLast());
            String q = heads(g, g.op("MatMul", h, transposed.apply(p + "self_attn.q_proj.weight")), qShape);
            String k = heads(g, g.op("MatMul", h, transposed.apply(p + "self_attn.k_proj.weight")), kvShape);
            String v = heads(g, g.op("MatMul", h, transposed.apply(p + "self_attn.v_proj.weight")), kvShape);
            q = rotate(g, q, cos, sin, firstHalf, middle, end, axes3);
            k = rotate(g, k, cos, sin, firstHalf, middle, end, axes3);
            String presentK = present(g, io, "past_key_values." + i + ".key", k, "present." + i + ".key");
            String presentV = present(g, io, "past_key_values." + i + ".value", v, "present." + i + ".value");
            // Grouped-query attention without copying the cache: the queries of one key/value head
            // are stacked along the sequence axis and attend to that head's keys in one MatMul.
            String grouped = group > 1 ? g.op("Reshape", q, groupedShape) : q;
            String scores = g.op("Mul", g.op("MatMul", grouped,
                    g.op("Transpose", presentK, Attr.ints("perm", 0, 1, 3, 2))), scale);
            String probs = g.op("Softmax", g.op("Add", scores, bias), Attr.i("axis", -1));
            String ctx = g.op("MatMul", probs, presentV);
            if (group > 1) {
                ctx = g.op("Reshape", ctx, headsShape);
            }
            ctx = g.op("Reshape", g.op("Transpose", ctx, Attr.ints("perm", 0, 2, 1, 3)), mergedShape);
            x = g.op("Add", x, g.op("MatMul", ctx, transposed.apply(p + "self_attn.o_proj.weight")));

            g.scope(p + "mlp.");
            String h2 = rmsNorm(g, x, weight.apply(p + "post_attention_layernorm.weight"), eps, axesLast());
            String gate = g.op("MatMul", h2, transposed.apply(p + "mlp.gate_proj.weight"));
            String up = g.op("MatMul", h2, transposed.apply(p + "mlp.up_proj.weight"));
            String act = g.op("Mul", g.op("Mul", gate, g.op("Sigmoid", gate)), up);
            x = g.op("Add", x, g.op("MatMul", act, transposed.apply(p + "mlp.down_proj.weight")));
        }
        g.scope("head.");
        String normed = rmsNorm(g, x, weight.apply(LlamaWeights.FINAL_NORM), eps, axesLast());
        String head = c.tieWordEmbeddings() ? LlamaWeights.EMBED : LlamaWeights.LM_HEAD;
        if (io == FLOAT) {
            g.node("MatMul", new String[] {normed, transposed.apply(head)}, new String[] {"logits"});
        } else {
            g.node("Cast", new String[] {g.op("MatMul", normed, transposed.apply(head))}, new String[] {"logits"},
                    Attr.i("to", io));
        }
    }

    /**
     * Output {@code name}, the past followed by this pass's keys or values (float32 {@code x}) along
     * the sequence axis; returns the float32 tensor attention reads. With a float16 interface the past
     * is widened on the way in and the present narrowed on the way out, so the cache a caller holds
     * between passes is float16, as in optimum's fp16 export.
     */
    private static String present(OnnxGraphBuilder g, int io, String past, String x, String name) {
        if (io == FLOAT) {
            g.node("Concat", new String[] {past, x}, new String[] {name}, Attr.i("axis", 2));
            return name;
        }
        String all = g.op("Concat", new String[] {g.op("Cast", past, Attr.i("to", FLOAT)), x}, Attr.i("axis", 2));
        g.node("Cast", new String[] {all}, new String[] {name}, Attr.i("to", io));
        return all;
    }

    private static Attr axesLast() {
        return Attr.ints("axes", -1);
    }

    /** [batch, sequence, n * head_dim] -> [batch, n, sequence, head_dim]. */
    private static String heads(OnnxGraphBuilder g, String x, String shape) {
        return g.op("Transpose", g.op("Reshape", x, shape), Attr.ints("perm", 0, 2, 1, 3));
    }

    /** x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] over the head dim. */
    private static String rotate(OnnxGraphBuilder g, String x, String cos, String sin, String zero, String middle,
                                 String end, String axis) {
        String x1 = g.op("Slice", new String[] {x, zero, middle, axis});
        String x2 = g.op("Slice", new String[] {x, middle, end, axis});
        String rotated = g.op("Concat", new String[] {g.op("Neg", x2), x1}, Attr.i("axis", -1));
        return g.op("Add", g.op("Mul", x, cos), g.op("Mul", rotated, sin));
    }

    /** x / sqrt(mean(x^2) + eps) * gain (opset 17 has no RMSNormalization). */
    private static String rmsNorm(OnnxGraphBuilder g, String x, String gain, String eps, Attr axes) {
        String meanSquare = g.op("ReduceMean", g.op("Mul", x, x), axes, Attr.i("keepdims", 1));
        return g.op("Mul", g.op("Div", x, g.op("Sqrt", g.op("Add", meanSquare, eps))), gain);
    }
}
