package dev.knowgate.model.llama;

import dev.knowgate.model.gpt.GptWeights.Tensor;

import java.util.Objects;

/**
 * Plain-Java forward pass of Hugging Face's {@code LlamaForCausalLM}: the definition the ONNX
 * export must reproduce (docs/onnx-export.md, "Llama-architecture exports"). RMSNorm, rotary positions in the
 * "rotate half" convention, grouped-query attention (query head h reads key/value head
 * h / groupSize), SwiGLU MLP. Written to be obviously correct, not fast (double accumulation).
 */
public final class ReferenceLlama {

    private final LlamaConfig c;
    private final LlamaWeights w;

    public ReferenceLlama(LlamaWeights weights) {
        this.w = Objects.requireNonNull(weights, "weights");
        this.c = weights.config();
    }

    /**
     * One sequence.
     *
     * @param ids       token ids
     * @param positions rotary position of each token
     * @param mask      1 for a real token, 0 for padding; token i attends to tokens j <= i whose mask is 1
     * @return logits [sequence][vocab]
     */
    public float[][] forward(long[] ids, long[] positions, long[] mask) {
        int s = ids.length;
        if (positions.length != s || mask.length != s) {
            throw new IllegalArgumentException("ids, positions and mask differ in length");
        }
        int d = c.hiddenSize();
        Tensor embed = w.get(LlamaWeights.EMBED);
        float[][] x = new float[s][];
        for (int t = 0; t < s; t++) {
            int id = Math.toIntExact(ids[t]);
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " out of range [0, " + c.vocabSize() + ")");
            }
            x[t] = new float[d];
            System.arraycopy(embed.data(), id * d, x[t], 0, d);
        }
        for (int layer = 0; layer < c.layers(); layer++) {
            String p = LlamaWeights.layer(layer);
            float[][] h = rmsNorm(x, w.get(p + "input_layernorm.weight"));
            float[][] q = rotate(linear(h, w.get(p + "self_attn.q_proj.weight")), positions, c.heads());
            float[][] k = rotate(linear(h, w.get(p + "self_attn.k_proj.weight")), positions, c.kvHeads());
            float[][] v = linear(h, w.get(p + "self_attn.v_proj.weight"));
            x = add(x, linear(attention(q, k, v, mask), w.get(p + "self_attn.o_proj.weight")));
            float[][] h2 = rmsNorm(x, w.get(p + "post_attention_layernorm.weight"));
            float[][] gate = linear(h2, w.get(p + "mlp.gate_proj.weight"));
            float[][] up = linear(h2, w.get(p + "mlp.up_proj.weight"));
            for (int t = 0; t < s; t++) {
                for (int k2 = 0; k2 < gate[t].length; k2++) {
                    double g = gate[t][k2];
                    gate[t][k2] = (float) (g / (1 + Math.exp(-g)) * up[t][k2]);
                }
            }
            x = add(x, linear(gate, w.get(p + "mlp.down_proj.weight")));
        }
        return linear(rmsNorm(x, w.get(LlamaWeights.FINAL_NORM)), w.head());
    }

    /** Rotary embedding of each head's [headDim] slice: x * cos + rotate_half(x) * sin. */
    private float[][] rotate(float[][] x, long[] positions, int heads) {
        int dh = c.headDim();
        int half = dh / 2;
        float[][] y = new float[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < half; i++) {
                double angle = positions[t] * Math.pow(c.ropeTheta(), -2.0 * i / dh);
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                for (int head = 0; head < heads; head++) {
                    int o = head * dh;
                    double a = x[t][o + i];
                    double b = x[t][o + i + half];
                    y[t][o + i] = (float) (a * cos - b * sin);
                    y[t][o + i + half] = (float) (b * cos + a * sin);
                }
            }
        }
        return y;
    }

    private float[][] attention(float[][] q, float[][] k, float[][] v, long[] mask) {
        int s = q.length;
        int dh = c.headDim();
        double scale = 1 / Math.sqrt(dh);
        float[][] out = new float[s][c.heads() * dh];
        for (int head = 0; head < c.heads(); head++) {
            int qo = head * dh;
            int ko = head / c.groupSize() * dh;
            for (int i = 0; i < s; i++) {
                double[] e = new double[s];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    if (mask[j] == 0) {
                        continue;
                    }
                    double dot = 0;
                    for (int k2 = 0; k2 < dh; k2++) {
                        dot += (double) q[i][qo + k2] * k[j][ko + k2];
                    }
                    e[j] = dot * scale;
                    max = Math.max(max, e[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    continue; // a padding query with no visible key: its output is never read
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    e[j] = mask[j] == 0 ? 0 : Math.exp(e[j] - max);
                    sum += e[j];
                }
                for (int k2 = 0; k2 < dh; k2++) {
                    double acc = 0;
                    for (int j = 0; j <= i; j++) {
                        acc += e[j] / sum * v[j][ko + k2];
                    }
                    out[i][qo + k2] = (float) acc;
                }
            }
        }
        return out;
    }

    private float[][] rmsNorm(float[][] x, Tensor gain) {
        int d = x[0].length;
        float[][] y = new float[x.length][d];
        for (int t = 0; t < x.length; t++) {
            double squares = 0;
            for (float value : x[t]) {
                squares += (double) value * value;
            }
            double inv = 1 / Math.sqrt(squares / d + c.rmsNormEps());
            for (int k = 0; k < d; k++) {
                y[t][k] = (float) (x[t][k] * inv * gain.data()[k]);
            }
        }
        return y;
    }

    /** y = x W^T with W stored [out, in] (nn.Linear). */
    private static float[][] linear(float[][] x, Tensor weight) {
        int out = weight.shape()[0];
        int in = weight.shape()[1];
        float[] wd = weight.data();
        float[][] y = new float[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = 0;
                int row = o * in;
                for (int k = 0; k < in; k++) {
                    acc += (double) x[t][k] * wd[row + k];
                }
                y[t][o] = (float) acc;
            }
        }
        return y;
    }

    private static float[][] add(float[][] a, float[][] b) {
        float[][] y = new float[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int k = 0; k < a[t].length; k++) {
                y[t][k] = a[t][k] + b[t][k];
            }
        }
        return y;
    }
}
