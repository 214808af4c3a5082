package dev.knowgate.model.gpt;

import java.util.Objects;

/**
 * Plain-Java forward pass of the architecture in docs/onnx-export.md: the definition the ONNX graph and the
 * trainer's model must reproduce. Written to be obviously correct, not fast (float storage, double accumulation).
 */
public final class ReferenceGpt {

    /** Added to the attention score of every masked (future or padding) key. */
    public static final float MASK_VALUE = -1e9f;

    private final GptConfig c;
    private final GptWeights w;

    public ReferenceGpt(GptWeights weights) {
        this.w = Objects.requireNonNull(weights, "weights");
        this.c = weights.config();
    }

    /**
     * @param inputIds      [batch][seq] token ids in [0, vocabSize)
     * @param attentionMask [batch][seq] 1 for real tokens, 0 for padding (left or right)
     * @return logits [batch][seq][vocabSize]
     */
    public float[][][] forward(long[][] inputIds, long[][] attentionMask) {
        int b = inputIds.length;
        float[][][] out = new float[b][][];
        for (int i = 0; i < b; i++) {
            if (attentionMask[i].length != inputIds[i].length) {
                throw new IllegalArgumentException("row " + i + ": attention_mask length differs from input_ids length");
            }
            out[i] = forwardOne(inputIds[i], attentionMask[i]);
        }
        return out;
    }

    /** One sequence (batch rows are independent). */
    public float[][] forwardOne(long[] ids, long[] mask) {
        int s = ids.length;
        int d = c.dModel();
        if (s > c.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + s + " > maxPositions " + c.maxPositions());
        }
        // position_ids = max(cumsum(mask) - 1, 0)
        int[] pos = new int[s];
        long cum = 0;
        for (int t = 0; t < s; t++) {
            cum += mask[t];
            pos[t] = (int) Math.max(cum - 1, 0);
        }
        GptWeights.Tensor wte = w.get("wte");
        GptWeights.Tensor wpe = w.get("wpe");
        float[][] x = new float[s][d];
        for (int t = 0; t < s; t++) {
            int id = Math.toIntExact(ids[t]);
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " out of range [0, " + c.vocabSize() + ")");
            }
            for (int k = 0; k < d; k++) {
                x[t][k] = wte.get(id, k) + wpe.get(pos[t], k);
            }
        }
        for (int layer = 0; layer < c.nLayers(); layer++) {
            String p = "h." + layer + ".";
            float[][] h = layerNorm(x, w.get(p + "ln_1.weight"), w.get(p + "ln_1.bias"));
            float[][] a = linear(attention(linear(h, w.get(p + "attn.c_attn.weight"), w.get(p + "attn.c_attn.bias")), mask),
                    w.get(p + "attn.c_proj.weight"), w.get(p + "attn.c_proj.bias"));
            x = add(x, a);
            float[][] h2 = layerNorm(x, w.get(p + "ln_2.weight"), w.get(p + "ln_2.bias"));
            float[][] f = linear(h2, w.get(p + "mlp.c_fc.weight"), w.get(p + "mlp.c_fc.bias"));
            for (float[] row : f) {
                for (int k = 0; k < row.length; k++) {
                    row[k] = gelu(row[k]);
                }
            }
            x = add(x, linear(f, w.get(p + "mlp.c_proj.weight"), w.get(p + "mlp.c_proj.bias")));
        }
        float[][] xf = layerNorm(x, w.get("ln_f.weight"), w.get("ln_f.bias"));
        float[][] logits = new float[s][c.vocabSize()];
        for (int t = 0; t < s; t++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                double acc = 0;
                for (int k = 0; k < d; k++) {
                    acc += (double) xf[t][k] * wte.get(v, k);
                }
                logits[t][v] = (float) acc;
            }
        }
        return logits;
    }

    /** qkv [s][3d] (q | k | v) -> merged heads [s][d]. */
    private float[][] attention(float[][] qkv, long[] mask) {
        int s = qkv.length;
        int d = c.dModel();
        int dh = c.headDim();
        float scale = (float) Math.sqrt(dh);
        float[][] out = new float[s][d];
        for (int head = 0; head < c.nHeads(); head++) {
            int qOff = head * dh;
            int kOff = d + head * dh;
            int vOff = 2 * d + head * dh;
            for (int i = 0; i < s; i++) {
                float[] scores = new float[s];
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    double dot = 0;
                    for (int k = 0; k < dh; k++) {
                        dot += (double) qkv[i][qOff + k] * qkv[j][kOff + k];
                    }
                    float sc = (float) dot / scale;
                    if (j > i || mask[j] == 0) {
                        sc += MASK_VALUE;
                    }
                    scores[j] = sc;
                    max = Math.max(max, sc);
                }
                double sum = 0;
                double[] e = new double[s];
                for (int j = 0; j < s; j++) {
                    e[j] = Math.exp(scores[j] - max);
                    sum += e[j];
                }
                for (int k = 0; k < dh; k++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) {
                        acc += e[j] / sum * qkv[j][vOff + k];
                    }
                    out[i][qOff + k] = (float) acc;
                }
            }
        }
        return out;
    }

    private float[][] layerNorm(float[][] x, GptWeights.Tensor gamma, GptWeights.Tensor beta) {
        int d = x[0].length;
        float[][] y = new float[x.length][d];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (float v : x[t]) {
                mean += v;
            }
            mean /= d;
            double var = 0;
            for (float v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= d;
            double inv = 1.0 / Math.sqrt(var + c.layerNormEps());
            for (int k = 0; k < d; k++) {
                y[t][k] = (float) ((x[t][k] - mean) * inv * gamma.data()[k] + beta.data()[k]);
            }
        }
        return y;
    }

    /** y = x @ W + b with W stored [in, out]. */
    private static float[][] linear(float[][] x, GptWeights.Tensor weight, GptWeights.Tensor bias) {
        int in = weight.shape()[0];
        int outDim = weight.shape()[1];
        float[][] y = new float[x.length][outDim];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < outDim; o++) {
                double acc = bias.data()[o];
                for (int k = 0; k < in; k++) {
                    acc += (double) x[t][k] * weight.data()[k * outDim + o];
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

    /** Exact GELU: 0.5 x (1 + erf(x / sqrt 2)). */
    public static float gelu(float x) {
        return (float) (0.5 * x * (1 + erf(x / Math.sqrt(2))));
    }

    /** erf to about 1e-15 (series for |x| < 3, continued fraction of erfc beyond). */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
            double f = ax;
            for (int k = 60; k >= 1; k--) {
                f = ax + (k / 2.0) / f;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
