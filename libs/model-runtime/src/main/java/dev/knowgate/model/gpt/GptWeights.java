package dev.knowgate.model.gpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * All parameters of a {@link GptConfig} model as named float32 tensors (row-major), with Hugging Face GPT-2
 * names ({@code wte}, {@code h.0.attn.c_attn.weight}, ...). Linear weights are stored [in, out] (GPT-2's Conv1D
 * layout): y = x @ W + b. The LM head is tied to {@code wte}: logits = ln_f(x) @ wte^T.
 *
 * <p>Construction validates that the names and shapes are exactly {@link #expectedShapes(GptConfig)}; the
 * tensors are kept in that canonical order. Tensors are not copied: treat them as immutable once handed over.
 */
public final class GptWeights {

    /** One named float32 tensor: its shape and its values in row-major order. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
            long n = elementCount(shape);
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has " + n
                        + " elements but data has " + data.length);
            }
        }

        public static Tensor zeros(int... shape) {
            return new Tensor(shape.clone(), new float[Math.toIntExact(elementCount(shape))]);
        }

        /** Value at a 2-D index (row-major). */
        public float get(int row, int col) {
            return data[row * shape[shape.length - 1] + col];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Tensor" + Arrays.toString(shape);
        }
    }

    private final GptConfig config;
    private final Map<String, Tensor> tensors;

    /**
     * @throws IllegalArgumentException naming the first tensor that is missing, unexpected or of the wrong shape
     */
    public GptWeights(GptConfig config, Map<String, Tensor> tensors) {
        this.config = Objects.requireNonNull(config, "config");
        this.tensors = inCanonicalOrder(expectedShapes(config), Objects.requireNonNull(tensors, "tensors"), config);
    }

    /**
     * {@code tensors} in the order of {@code expected}, unmodifiable: exactly those names, each of its
     * shape (any architecture's weights are checked this way).
     *
     * @throws IllegalArgumentException naming the first tensor that is missing, unexpected or of the wrong shape
     */
    public static Map<String, Tensor> inCanonicalOrder(Map<String, int[]> expected, Map<String, Tensor> tensors,
                                                       Object config) {
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("missing tensor '" + e.getKey() + "' (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "' for " + config);
            }
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            ordered.put(name, tensors.get(name));
        }
        return Collections.unmodifiableMap(ordered);
    }

    public GptConfig config() {
        return config;
    }

    /** Tensors in canonical order (the order of {@link #expectedShapes(GptConfig)}). */
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

    /** Names and shapes a model of this config has, in canonical order. */
    public static Map<String, int[]> expectedShapes(GptConfig c) {
        int d = c.dModel();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("wte", new int[] {c.vocabSize(), d});
        m.put("wpe", new int[] {c.maxPositions(), d});
        for (int i = 0; i < c.nLayers(); i++) {
            String p = "h." + i + ".";
            m.put(p + "ln_1.weight", new int[] {d});
            m.put(p + "ln_1.bias", new int[] {d});
            m.put(p + "attn.c_attn.weight", new int[] {d, 3 * d});
            m.put(p + "attn.c_attn.bias", new int[] {3 * d});
            m.put(p + "attn.c_proj.weight", new int[] {d, d});
            m.put(p + "attn.c_proj.bias", new int[] {d});
            m.put(p + "ln_2.weight", new int[] {d});
            m.put(p + "ln_2.bias", new int[] {d});
            m.put(p + "mlp.c_fc.weight", new int[] {d, c.dFf()});
            m.put(p + "mlp.c_fc.bias", new int[] {c.dFf()});
            m.put(p + "mlp.c_proj.weight", new int[] {c.dFf(), d});
            m.put(p + "mlp.c_proj.bias", new int[] {d});
        }
        m.put("ln_f.weight", new int[] {d});
        m.put("ln_f.bias", new int[] {d});
        return m;
    }

    /** GPT-2 style initialisation: N(0, 0.02) matrices and embeddings, zero biases, unit LayerNorm gains. */
    public static GptWeights random(GptConfig config, long seed) {
        return random(config, seed, 0.02, false);
    }

    /**
     * Random weights for tests.
     *
     * @param std          standard deviation of the normal init of matrices and embeddings
     * @param perturbNorms when true, biases are N(0, std) and LayerNorm gains 1 + N(0, 0.1), so that every
     *                     parameter influences the output (better for parity tests)
     */
    public static GptWeights random(GptConfig config, long seed, double std, boolean perturbNorms) {
        Random rnd = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : expectedShapes(config).entrySet()) {
            String name = e.getKey();
            Tensor t = Tensor.zeros(e.getValue());
            float[] a = t.data();
            boolean isNorm = name.startsWith("ln_f.") || name.contains(".ln_1.") || name.contains(".ln_2.");
            boolean isBias = name.endsWith(".bias");
            for (int k = 0; k < a.length; k++) {
                if (isNorm && !isBias) {
                    a[k] = perturbNorms ? (float) (1 + 0.1 * rnd.nextGaussian()) : 1f;
                } else if (isBias) {
                    a[k] = perturbNorms ? (float) (std * rnd.nextGaussian()) : 0f;
                } else {
                    a[k] = (float) (std * rnd.nextGaussian());
                }
            }
            m.put(name, t);
        }
        return new GptWeights(config, m);
    }

    /** Total number of floats. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.data().length;
        }
        return n;
    }

    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GptWeights w && config.equals(w.config) && tensors.equals(w.tensors);
    }

    @Override
    public int hashCode() {
        return config.hashCode() * 31 + tensors.hashCode();
    }

    @Override
    public String toString() {
        return "GptWeights[" + config + ", " + parameterCount() + " parameters]";
    }

    static long elementCount(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= s;
        }
        return n;
    }
}
