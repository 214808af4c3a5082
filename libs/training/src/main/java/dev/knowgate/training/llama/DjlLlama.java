package dev.knowgate.training.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.llama.ReferenceLlama;
import dev.knowgate.training.TrainableDecoder;
import dev.knowgate.training.gpt.DjlGpt;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * A Llama-architecture decoder (RMSNorm, rotary positions, SwiGLU, grouped-query attention; see
 * {@link ReferenceLlama}) as DJL NDArray functions over parameters named and shaped as
 * {@link LlamaWeights} (Hugging Face names, linear weights [out, in]). Trainable with DJL's
 * autograd; {@link #toWeights()} gives what {@code LlamaOnnxWriter} exports. The loss, gradient
 * clipping and constants are {@link DjlGpt}'s, which do not depend on the architecture.
 *
 * <p>Memory and threads as {@link DjlGpt}: parameters in a child manager closed by {@link #close()};
 * {@link #forward} frees its intermediates. Not thread-safe.
 */
public final class DjlLlama implements TrainableDecoder<LlamaWeights> {

    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    /** inv_freq[i] = theta^(-2i / head_dim), as transformers computes it (float32). */
    private final float[] inverseFrequencies;

    private DjlLlama(LlamaConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
        this.inverseFrequencies = new float[config.headDim() / 2];
        for (int i = 0; i < inverseFrequencies.length; i++) {
            inverseFrequencies[i] = (float) Math.pow(config.ropeTheta(), -2.0 * i / config.headDim());
        }
    }

    /** Copies the weights into float32 NDArrays (one child manager of {@code parent}) that require gradients. */
    public static DjlLlama fromWeights(NDManager parent, LlamaWeights weights) {
        Objects.requireNonNull(weights, "weights");
        NDManager m = parent.newSubManager();
        return new DjlLlama(weights.config(), m, DjlGpt.trainable(m, weights.tensors()));
    }

    /** A copy of the current parameters (same names, shapes and order). */
    @Override
    public LlamaWeights toWeights() {
        return new LlamaWeights(config, DjlGpt.tensors(params));
    }

    public LlamaConfig config() {
        return config;
    }

    /** The live parameters in canonical order (the optimizer updates them in place). */
    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    @Override
    public void zeroGradients() {
        DjlGpt.zeroGradients(params.values());
    }

    @Override
    public void clearGradients() {
        DjlGpt.clearGradients(params.values());
    }

    /** As {@link #forward(NDArray, NDArray)}: the architecture has no dropout. */
    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
        return forward(inputIds, attentionMask);
    }

    /**
     * @param inputIds      int64 [b, s]
     * @param attentionMask int64 [b, s], 1 = token, 0 = padding; positions are max(cumsum(mask) - 1, 0)
     * @return logits float32 [b, s, vocab], attached to {@code inputIds}' manager; undefined at padding
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask) {
        int[] batch = DjlGpt.batchShape(inputIds, attentionMask, config.maxPositions());
        int b = batch[0];
        int s = batch[1];
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int dh = config.headDim();
        NDManager out = inputIds.getManager();
        try (NDScope scope = new NDScope()) {
            long[] mask = attentionMask.toType(DataType.INT64, false).toLongArray();
            NDArray[] rotary = rotary(out, mask, b, s);
            NDArray bias = DjlGpt.attentionBias(out, mask, b, s);
            NDArray scale = DjlGpt.constant(out, (float) Math.sqrt(dh));
            NDArray eps = DjlGpt.constant(out, (float) config.rmsNormEps());
            NDArray x = Embedding.embedding(inputIds.toType(DataType.INT64, false), p(LlamaWeights.EMBED),
                    SparseFormat.DENSE).singletonOrThrow();
            for (int i = 0; i < config.layers(); i++) {
                String n = LlamaWeights.layer(i);
                NDArray h = rmsNorm(x, n + "input_layernorm.weight", eps);
                NDArray q = rotate(heads(linear(h, n + "self_attn.q_proj.weight"), b, s, heads, dh), rotary);
                NDArray k = rotate(heads(linear(h, n + "self_attn.k_proj.weight"), b, s, kvHeads, dh), rotary);
                NDArray v = heads(linear(h, n + "self_attn.v_proj.weight"), b, s, kvHeads, dh);
                if (config.groupSize() > 1) { // query head h reads key/value head h / groupSize
                    k = k.repeat(1, config.groupSize());
                    v = v.repeat(1, config.groupSize());
                }
                NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(scale).add(bias);
                NDArray ctx = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, s, (long) heads * dh);
                x = x.add(linear(ctx, n + "self_attn.o_proj.weight"));
                NDArray h2 = rmsNorm(x, n + "post_attention_layernorm.weight", eps);
                NDArray gate = linear(h2, n + "mlp.gate_proj.weight");
                NDArray act = gate.mul(Activation.sigmoid(gate)).mul(linear(h2, n + "mlp.up_proj.weight"));
                x = x.add(linear(act, n + "mlp.down_proj.weight"));
            }
            NDArray head = p(config.tieWordEmbeddings() ? LlamaWeights.EMBED : LlamaWeights.LM_HEAD);
            NDArray logits = rmsNorm(x, LlamaWeights.FINAL_NORM, eps).matMul(head.transpose());
            NDScope.unregister(logits);
            logits.attach(out);
            return logits;
        }
    }

    /** cos and sin [b, 1, s, head_dim] of each position's angles, both halves alike. */
    private NDArray[] rotary(NDManager m, long[] mask, int b, int s) {
        int dh = config.headDim();
        int half = dh / 2;
        float[] cos = new float[b * s * dh];
        float[] sin = new float[b * s * dh];
        for (int r = 0; r < b; r++) {
            long cum = 0;
            for (int t = 0; t < s; t++) {
                cum += mask[r * s + t];
                float position = Math.max(cum - 1, 0);
                for (int i = 0; i < half; i++) {
                    float angle = position * inverseFrequencies[i];
                    int at = (r * s + t) * dh + i;
                    cos[at] = cos[at + half] = (float) Math.cos(angle);
                    sin[at] = sin[at + half] = (float) Math.sin(angle);
                }
            }
        }
        return new NDArray[] {m.create(cos, new Shape(b, 1, s, dh)), m.create(sin, new Shape(b, 1, s, dh))};
    }

    /** x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1]. */
    private NDArray rotate(NDArray x, NDArray[] rotary) {
        int half = config.headDim() / 2;
        NDArray x1 = x.get(new NDIndex(":, :, :, :" + half));
        NDArray x2 = x.get(new NDIndex(":, :, :, " + half + ":"));
        return x.mul(rotary[0]).add(x2.neg().concat(x1, -1).mul(rotary[1]));
    }

    private NDArray rmsNorm(NDArray x, String gain, NDArray eps) {
        return x.div(x.square().mean(new int[] {-1}, true).add(eps).sqrt()).mul(p(gain));
    }

    private static NDArray heads(NDArray t, int b, int s, int h, int dh) {
        return t.reshape(b, s, h, dh).transpose(0, 2, 1, 3);
    }

    /** y = x W^T, W stored [out, in] (nn.Linear). */
    private NDArray linear(NDArray x, String name) {
        return x.matMul(p(name).transpose());
    }

    private NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("no parameter '" + name + "'");
        }
        return a;
    }

    @Override
    public void close() {
        manager.close();
    }
}
