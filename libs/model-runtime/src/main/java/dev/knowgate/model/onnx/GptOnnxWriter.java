package dev.knowgate.model.onnx;

import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.ReferenceGpt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.knowgate.model.onnx.OnnxGraphBuilder.Attr;

import static dev.knowgate.model.onnx.OnnxGraphBuilder.FLOAT;
import static dev.knowgate.model.onnx.OnnxGraphBuilder.INT64;

/**
 * Writes a {@link GptWeights} model as a self-contained ONNX file (opset 17, IR version 8, weights as raw_data
 * initializers under their {@link GptWeights} names, config as JSON in metadata_props). The graph computes
 * exactly what {@link ReferenceGpt} computes; docs/onnx-export.md describes it node by node. Output bytes depend
 * only on the weights, the variant and the extra metadata (stable sha256).
 */
public final class GptOnnxWriter {

    public static final int OPSET = 17;
    /** ONNX Runtime's contrib operators (the KV_SCORING variant only). */
    static final String CONTRIB_DOMAIN = "com.microsoft";
    public static final int IR_VERSION = 8;
    public static final String PRODUCER = "knowgate";
    /** Version of this file layout; bumped if the graph or the metadata change meaning. */
    public static final String FORMAT_VERSION = "1";

    public static final String META_CONFIG = "knowgate.gpt.config";
    public static final String META_VARIANT = "knowgate.gpt.variant";
    public static final String META_FORMAT = "knowgate.gpt.format";

    /** Graph shapes. */
    public enum Variant {
        /** Inputs input_ids, attention_mask [batch, sequence]; output logits [batch, sequence, vocab]. */
        PLAIN("plain"),
        /**
         * Optimum-style decoder with KV cache: inputs input_ids, position_ids [batch, sequence], attention_mask
         * [batch, past_sequence + sequence], past_key_values.{i}.key/.value [batch, heads, past_sequence, headDim];
         * outputs logits and present.{i}.key/.value [batch, heads, past_sequence + sequence, headDim].
         */
        KV_CACHE("kv-cache"),
        /**
         * KV_CACHE for teacher forcing: the same inputs plus selected_rows [rows] (indices into the
         * flattened batch x sequence positions) and top_k [1]; the head runs on those rows only.
         * Outputs selected_logits [rows, vocab] instead of logits, and per row what scoring needs
         * from the whole vocabulary: selected_top_values and selected_top_indices [rows, top_k]
         * (largest first; equal values in index order) and selected_logsumexp [rows]. Built from the
         * weights when scoring, never shipped: most positions of a scored prompt are never read, the
         * head is a third of the base model's work per position, and top-k and the normaliser are
         * cheaper in ONNX Runtime than in Java.
         */
        KV_SCORING("kv-scoring");

        private final String id;

        Variant(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Variant fromId(String id) {
            for (Variant v : values()) {
                if (v.id.equals(id)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown variant '" + id + "'");
        }
    }

    private GptOnnxWriter() {
    }

    /** Writes the plain variant to {@code file} (via a temporary file in the same folder, then a move). */
    public static void write(GptWeights weights, Path file) throws IOException {
        write(weights, Variant.PLAIN, Map.of(), file);
    }

    public static void write(GptWeights weights, Variant variant, Map<String, String> extraMetadata, Path file)
            throws IOException {
        byte[] bytes = toBytes(weights, variant, extraMetadata);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static byte[] toBytes(GptWeights weights) {
        return toBytes(weights, Variant.PLAIN, Map.of());
    }

    /**
     * @param extraMetadata more metadata_props (e.g. model name and version), written sorted by key; keys must
     *                      not start with "knowgate.gpt."
     */
    public static byte[] toBytes(GptWeights weights, Variant variant, Map<String, String> extraMetadata) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(variant, "variant");
        Map<String, String> meta = new TreeMap<>();
        for (Map.Entry<String, String> e : extraMetadata.entrySet()) {
            if (e.getKey().startsWith("knowgate.gpt.")) {
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved");
            }
            meta.put(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey()));
        }
        meta.put(META_CONFIG, weights.config().toJson());
        meta.put(META_VARIANT, variant.id());
        meta.put(META_FORMAT, FORMAT_VERSION);

        ProtoMessage graph = buildGraph(weights, variant);
        ProtoMessage model = new ProtoMessage(Math.toIntExact(weights.parameterCount() * 4 + (1 << 16)));
        model.int64(1, IR_VERSION);
        model.string(2, PRODUCER);
        model.string(3, FORMAT_VERSION);
        model.string(6, "knowgate decoder-only transformer (pre-LN GPT-2, tied LM head); see docs/onnx-export.md");
        model.message(7, graph);
        model.message(8, new ProtoMessage().string(1, "").int64(2, OPSET));
        if (variant == Variant.KV_SCORING) {
            model.message(8, new ProtoMessage().string(1, CONTRIB_DOMAIN).int64(2, 1));
        }
        for (Map.Entry<String, String> e : meta.entrySet()) {
            model.message(14, new ProtoMessage().string(1, e.getKey()).string(2, e.getValue()));
        }
        return model.toByteArray();
    }

    private static ProtoMessage buildGraph(GptWeights weights, Variant variant) {
        GptConfig c = weights.config();
        OnnxGraphBuilder g = new OnnxGraphBuilder();
        boolean kv = variant != Variant.PLAIN;
        boolean selected = variant == Variant.KV_SCORING;
        // Only the variant built at load for ONNX Runtime uses its contrib operators; shipped files stay plain ONNX.
        boolean fused = selected;
        int d = c.dModel();
        int heads = c.nHeads();
        int dh = c.headDim();

        g.input("input_ids", INT64, "batch", "sequence");
        g.input("attention_mask", INT64, "batch", kv ? "past_sequence + sequence" : "sequence");
        if (kv) {
            g.input("position_ids", INT64, "batch", "sequence");
            for (int i = 0; i < c.nLayers(); i++) {
                g.input("past_key_values." + i + ".key", FLOAT, "batch", (long) heads, "past_sequence", (long) dh);
                g.input("past_key_values." + i + ".value", FLOAT, "batch", (long) heads, "past_sequence", (long) dh);
            }
        }
        if (selected) {
            g.input("selected_rows", INT64, "rows");
            g.input("top_k", INT64, 1L);
            g.output("selected_logits", FLOAT, "rows", (long) c.vocabSize());
            g.output("selected_top_values", FLOAT, "rows", "top_k");
            g.output("selected_top_indices", INT64, "rows", "top_k");
            g.output("selected_logsumexp", FLOAT, "rows");
        } else {
            g.output("logits", FLOAT, "batch", "sequence", (long) c.vocabSize());
        }
        if (kv) {
            for (int i = 0; i < c.nLayers(); i++) {
                g.output("present." + i + ".key", FLOAT, "batch", (long) heads, "past_sequence + sequence", (long) dh);
                g.output("present." + i + ".value", FLOAT, "batch", (long) heads, "past_sequence + sequence", (long) dh);
            }
        }
        for (Map.Entry<String, GptWeights.Tensor> e : weights.tensors().entrySet()) {
            g.initializer(e.getKey(), e.getValue().shape(), e.getValue().data());
        }

        // Shared constants.
        g.scope("const.");
        String zeroI = g.constInt64Scalar(0);
        String oneI = g.constInt64Scalar(1);
        String axes0 = g.constInt64Vector(0);
        String axes1 = g.constInt64Vector(1);
        String axes12 = g.constInt64Vector(1, 2);
        String zeroF = g.constFloatScalar(0f);
        String oneF = g.constFloatScalar(1f);
        String halfF = g.constFloatScalar(0.5f);
        String sqrt2 = g.constFloatScalar((float) Math.sqrt(2));
        String sqrtDh = fused ? null : g.constFloatScalar((float) Math.sqrt(dh));
        String maskValue = g.constFloatScalar(ReferenceGpt.MASK_VALUE);
        String qkvShape = fused ? null : g.constInt64Vector(0, 0, 3, heads, dh);
        String mergedShape = fused ? null : g.constInt64Vector(0, 0, d);

        // Positions: position_ids = max(cumsum(attention_mask, 1) - 1, 0), or given (KV variant).
        g.scope("embed.");
        String positionIds;
        if (kv) {
            positionIds = "position_ids";
        } else {
            String cum = g.op("CumSum", "attention_mask", oneI);
            positionIds = g.op("Max", g.op("Sub", cum, oneI), zeroI);
        }
        String tokens = g.op("Gather", "wte", "input_ids", Attr.i("axis", 0));
        String positions = g.op("Gather", "wpe", positionIds, Attr.i("axis", 0));
        // The fused variant keeps each residual sum pending (a + b + bias) until the layer norm that
        // reads it adds it up; the others add at once.
        Residual x = fused ? new Residual(tokens, positions, null) : Residual.of(g.op("Add", tokens, positions));

        g.scope("mask.");
        String bias = g.causalPaddingBias(kv, zeroI, oneI, axes0, axes1, axes12, maskValue, zeroF);
        String thirds = fused ? g.constInt64Vector(d, d, d) : null;

        for (int i = 0; i < c.nLayers(); i++) {
            String p = "h." + i + ".";
            g.scope(p + "attn.");
            Normed h = layerNorm(g, x, p + "ln_1", c);
            x = Residual.of(h.sum);
            if (fused) {
                String ctx = fusedAttention(g, h.normed, bias, p, i, heads, thirds);
                x = x.plus(g, g.op("MatMul", ctx, p + "attn.c_proj.weight"), p + "attn.c_proj.bias", true);
            } else {
                String qkv = g.op("Add", g.op("MatMul", h.normed, p + "attn.c_attn.weight"), p + "attn.c_attn.bias");
                // [b, s, 3d] -> [b, s, 3, H, dh] -> [3, b, H, s, dh]
                String split = g.op("Transpose", g.op("Reshape", qkv, qkvShape), Attr.ints("perm", 2, 0, 3, 1, 4));
                String q = g.op("Gather", split, zeroI, Attr.i("axis", 0));
                String k = g.op("Gather", split, oneI, Attr.i("axis", 0));
                String v = g.op("Gather", split, g.constInt64Scalar(2), Attr.i("axis", 0));
                if (kv) {
                    String presentK = "present." + i + ".key";
                    String presentV = "present." + i + ".value";
                    g.node("Concat", new String[] {"past_key_values." + i + ".key", k}, new String[] {presentK},
                            Attr.i("axis", 2));
                    g.node("Concat", new String[] {"past_key_values." + i + ".value", v}, new String[] {presentV},
                            Attr.i("axis", 2));
                    k = presentK;
                    v = presentV;
                }
                String scores = g.op("Div", g.op("MatMul", q, g.op("Transpose", k, Attr.ints("perm", 0, 1, 3, 2))),
                        sqrtDh);
                String probs = g.op("Softmax", g.op("Add", scores, bias), Attr.i("axis", -1));
                String ctx = g.op("Transpose", g.op("MatMul", probs, v), Attr.ints("perm", 0, 2, 1, 3));
                ctx = g.op("Reshape", ctx, mergedShape);
                x = x.plus(g, g.op("MatMul", ctx, p + "attn.c_proj.weight"), p + "attn.c_proj.bias", false);
            }

            g.scope(p + "mlp.");
            Normed h2 = layerNorm(g, x, p + "ln_2", c);
            x = Residual.of(h2.sum);
            String f = g.op("Add", g.op("MatMul", h2.normed, p + "mlp.c_fc.weight"), p + "mlp.c_fc.bias");
            // exact GELU: 0.5 * f * (1 + erf(f / sqrt(2)))
            String gelu = g.op("Mul", g.op("Mul", f, g.op("Add", g.op("Erf", g.op("Div", f, sqrt2)), oneF)), halfF);
            x = x.plus(g, g.op("MatMul", gelu, p + "mlp.c_proj.weight"), p + "mlp.c_proj.bias", fused);
        }

        g.scope("head.");
        String wteT = g.op("Transpose", "wte", Attr.ints("perm", 1, 0));
        if (selected) {
            // Rows first, then the final norm (per row) and the head on those rows only.
            String flat = g.constInt64Vector(-1, d);
            Residual rows = x.rows(g, flat);
            g.node("MatMul", new String[] {layerNorm(g, rows, "ln_f", c).normed, wteT}, new String[] {"selected_logits"});
            g.node("TopK", new String[] {"selected_logits", "top_k"},
                    new String[] {"selected_top_values", "selected_top_indices"}, Attr.i("axis", -1));
            g.node("ReduceLogSumExp", new String[] {"selected_logits"}, new String[] {"selected_logsumexp"},
                    Attr.ints("axes", 1), Attr.i("keepdims", 0));
        } else {
            g.node("MatMul", new String[] {layerNorm(g, x, "ln_f", c).normed, wteT}, new String[] {"logits"});
        }
        return g.build("knowgate_gpt");
    }

    /**
     * Attention in one ONNX Runtime MultiHeadAttention node: it adds the input projection's bias, splits
     * the heads, appends k and v to the cache (present = past + new, per head, as the plain graph's
     * Concat), scales by 1/sqrt(dh), adds the causal and padding bias, and merges the heads again. The
     * separate operators around the attention's two MatMuls took a fifth of the scoring pass at d 128.
     */
    private static String fusedAttention(OnnxGraphBuilder g, String normed, String bias, String p, int layer, int heads,
                                         String thirds) {
        String q = g.fresh("q");
        String k = g.fresh("k");
        String v = g.fresh("v");
        g.node("Split", new String[] {g.op("MatMul", normed, p + "attn.c_attn.weight"), thirds}, new String[] {q, k, v},
                Attr.i("axis", 2));
        String ctx = g.fresh("ctx");
        g.node(CONTRIB_DOMAIN, "MultiHeadAttention", new String[] {q, k, v, p + "attn.c_attn.bias", "", bias,
                        "past_key_values." + layer + ".key", "past_key_values." + layer + ".value"},
                new String[] {ctx, "present." + layer + ".key", "present." + layer + ".value"},
                Attr.i("num_heads", heads));
        return ctx;
    }

    /**
     * The residual stream's value: {@code a + b + bias}, where a value already added up has no b. The
     * fused variant hands the terms to the layer norm that reads them, which adds them itself.
     */
    private record Residual(String a, String b, String bias) {
        static Residual of(String sum) {
            return new Residual(sum, null, null);
        }

        /** This plus {@code branch + branchBias}: kept pending (fused) or added up now. */
        Residual plus(OnnxGraphBuilder g, String branch, String branchBias, boolean fused) {
            String sum = sum(g);
            return fused ? new Residual(sum, branch, branchBias) : of(g.op("Add", sum, g.op("Add", branch, branchBias)));
        }

        /** The terms' rows selected_rows of the flattened batch x sequence positions (the terms are added per row). */
        Residual rows(OnnxGraphBuilder g, String flat) {
            return new Residual(select(g, a, flat), b == null ? null : select(g, b, flat), bias);
        }

        private static String select(OnnxGraphBuilder g, String value, String flat) {
            return g.op("Gather", g.op("Reshape", value, flat), "selected_rows", Attr.i("axis", 0));
        }

        private String sum(OnnxGraphBuilder g) {
            return b == null ? a : g.op("Add", bias == null ? g.op("Add", a, b) : g.op("Add", a, g.op("Add", b, bias)));
        }
    }

    /** A layer norm's output, and the residual sum it normalised (for the next residual addition). */
    private record Normed(String normed, String sum) {
    }

    private static Normed layerNorm(OnnxGraphBuilder g, Residual x, String prefix, GptConfig c) {
        if (x.b() == null) {
            String y = g.op("LayerNormalization", new String[] {x.a(), prefix + ".weight", prefix + ".bias"},
                    Attr.i("axis", -1), Attr.f("epsilon", (float) c.layerNormEps()));
            return new Normed(y, x.a());
        }
        // ONNX Runtime's SkipLayerNormalization adds the terms and normalises in one kernel: at d 128 its
        // CPU kernel measured a sixth of the time of the ONNX LayerNormalization kernel alone.
        String y = g.fresh(prefix + ".normed");
        String sum = g.fresh(prefix + ".sum");
        String[] in = x.bias() == null ? new String[] {x.a(), x.b(), prefix + ".weight", prefix + ".bias"}
                : new String[] {x.a(), x.b(), prefix + ".weight", prefix + ".bias", x.bias()};
        g.node(CONTRIB_DOMAIN, "SkipLayerNormalization", in, new String[] {y, "", "", sum},
                Attr.f("epsilon", (float) c.layerNormEps()));
        return new Normed(y, sum);
    }
}
