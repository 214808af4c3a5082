package dev.knowgate.model.llama;

import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.GptWeights.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * All parameters of a {@link LlamaConfig} model as float32 tensors under Hugging Face's
 * {@code LlamaForCausalLM} names and layouts: linear weights are [out, in] (y = x W^T), as
 * {@code nn.Linear} stores them and as an optimum export's initializers are named. The head is
 * {@code lm_head.weight}, or {@code model.embed_tokens.weight} when the config ties them.
 */
public final class LlamaWeights {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private final LlamaConfig config;
    private final Map<String, Tensor> tensors;

    /** @throws IllegalArgumentException naming the first tensor that is missing, unexpected or of the wrong shape */
    public LlamaWeights(LlamaConfig config, Map<String, Tensor> tensors) {
        this.config = Objects.requireNonNull(config, "config");
        this.tensors = GptWeights.inCanonicalOrder(expectedShapes(config), tensors, config);
    }

    public LlamaConfig config() {
        return config;
    }

    /** Tensors in canonical order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "'");
        }
        return t;
    }

    /** The [vocab, hidden] matrix the head multiplies by (transposed). */
    public Tensor head() {
        return get(config.tieWordEmbeddings() ? EMBED : LM_HEAD);
    }

    public static String layer(int i) {
        return "model.layers." + i + ".";
    }

    /** Names and shapes a model of this config has, in canonical order. */
    public static Map<String, int[]> expectedShapes(LlamaConfig c) {
        int d = c.hiddenSize();
        int q = c.heads() * c.headDim();
        int kv = c.kvHeads() * c.headDim();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put(EMBED, new int[] {c.vocabSize(), d});
        for (int i = 0; i < c.layers(); i++) {
            String p = layer(i);
            m.put(p + "input_layernorm.weight", new int[] {d});
            m.put(p + "self_attn.q_proj.weight", new int[] {q, d});
            m.put(p + "self_attn.k_proj.weight", new int[] {kv, d});
            m.put(p + "self_attn.v_proj.weight", new int[] {kv, d});
            m.put(p + "self_attn.o_proj.weight", new int[] {d, q});
            m.put(p + "post_attention_layernorm.weight", new int[] {d});
            m.put(p + "mlp.gate_proj.weight", new int[] {c.intermediateSize(), d});
            m.put(p + "mlp.up_proj.weight", new int[] {c.intermediateSize(), d});
            m.put(p + "mlp.down_proj.weight", new int[] {d, c.intermediateSize()});
        }
        m.put(FINAL_NORM, new int[] {d});
        if (!c.tieWordEmbeddings()) {
            m.put(LM_HEAD, new int[] {c.vocabSize(), d});
        }
        return m;
    }

    /**
     * Random weights: matrices N(0, std); norm gains 1 + N(0, normStd) (0 gives Llama's init of ones).
     * Parity tests use a large std and perturbed gains so that every parameter moves the logits.
     */
    public static LlamaWeights random(LlamaConfig config, long seed, double std, double normStd) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : expectedShapes(config).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            float[] a = t.data();
            boolean norm = e.getKey().endsWith("norm.weight");
            for (int k = 0; k < a.length; k++) {
                a[k] = (float) (norm ? 1 + normStd * gaussian(random) : std * gaussian(random));
            }
            m.put(e.getKey(), t);
        }
        return new LlamaWeights(config, m);
    }

    /** The same model with every weight rounded to the nearest float16 (what an fp16 export stores). */
    public LlamaWeights roundedToHalf() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] a = e.getValue().data().clone();
            for (int k = 0; k < a.length; k++) {
                a[k] = Half.toFloat(Half.fromFloat(a[k]));
            }
            m.put(e.getKey(), new Tensor(e.getValue().shape().clone(), a));
        }
        return new LlamaWeights(config, m);
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.data().length;
        }
        return n;
    }

    /** Box-Muller; SplittableRandom has no nextGaussian on Java 17. */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
