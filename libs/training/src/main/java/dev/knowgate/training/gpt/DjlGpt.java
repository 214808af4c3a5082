package dev.knowgate.training.gpt;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.ReferenceGpt;
import dev.knowgate.training.TrainableDecoder;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The project's GPT (docs/onnx-export.md: pre-LN GPT-2, learned positions, exact-erf GELU, tied LM head) as
 * plain DJL NDArray functions over a map of parameters named and shaped exactly as {@link GptWeights}
 * (linear weights [in, out]). Trainable with DJL's autograd: every parameter requires a gradient.
 *
 * <p>Memory: the parameters live in a child of the manager given to {@link #fromWeights}; {@link #close()} frees
 * them. {@link #forward} returns logits attached to the manager of {@code inputIds} and frees every
 * intermediate array itself (an {@link NDScope}), so a caller only has to close what it created.
 *
 * <p>Not thread-safe.
 */
public final class DjlGpt implements TrainableDecoder<GptWeights> {

    /** Added to the attention score of masked (future or padding) keys, as in the reference and the ONNX graph. */
    public static final float MASK_VALUE = ReferenceGpt.MASK_VALUE;
    private static final NDIndex ALL = new NDIndex("...");

    private final GptConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private float dropout;

    private DjlGpt(GptConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
    }

    /**
     * Copies the weights into float32 NDArrays (one child manager of {@code parent}) that require gradients.
     */
    public static DjlGpt fromWeights(NDManager parent, GptWeights weights) {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(weights, "weights");
        NDManager m = parent.newSubManager();
        return new DjlGpt(weights.config(), m, trainable(m, weights.tensors()));
    }

    /** A copy of the current parameters as float32 {@link GptWeights} (same names, shapes and order). */
    @Override
    public GptWeights toWeights() {
        return new GptWeights(config, tensors(params));
    }

    /** Named float32 tensors as NDArrays in {@code m} that require gradients (any architecture's; copied). */
    public static Map<String, NDArray> trainable(NDManager m, Map<String, GptWeights.Tensor> tensors) {
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, GptWeights.Tensor> e : tensors.entrySet()) {
            GptWeights.Tensor t = e.getValue();
            NDArray a = m.create(t.data().clone(), new Shape(Arrays.stream(t.shape()).asLongStream().toArray()));
            a.setName(e.getKey());
            a.setRequiresGradient(true);
            p.put(e.getKey(), a);
        }
        return p;
    }

    /** The parameters' current values as named tensors, in the same order ({@link #trainable}'s inverse). */
    public static Map<String, GptWeights.Tensor> tensors(Map<String, NDArray> params) {
        Map<String, GptWeights.Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray a = e.getValue();
            int[] shape = Arrays.stream(a.getShape().getShape()).mapToInt(Math::toIntExact).toArray();
            m.put(e.getKey(), new GptWeights.Tensor(shape, a.toFloatArray()));
        }
        return m;
    }

    public GptConfig config() {
        return config;
    }

    /** The live parameters in canonical order (the optimizer updates them in place). */
    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** Dropout rate applied in training mode to the embeddings and to each residual branch (default 0 = none). */
    public DjlGpt dropout(float rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + rate);
        }
        this.dropout = rate;
        return this;
    }

    /**
     * @param inputIds      int64 [b, s] token ids, s <= maxPositions
     * @param attentionMask int64 [b, s], 1 = token, 0 = padding (left or right)
     * @param training      enables dropout (if a rate was set); gradients are recorded whenever a
     *                      {@link GradientCollector} is open, regardless of this flag
     * @return logits float32 [b, s, vocab], attached to {@code inputIds}' manager; undefined at padding positions
     */
    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
        int[] batch = batchShape(inputIds, attentionMask, config.maxPositions());
        int b = batch[0];
        int s = batch[1];
        int d = config.dModel();
        int heads = config.nHeads();
        int dh = config.headDim();
        float eps = (float) config.layerNormEps();
        NDManager out = inputIds.getManager();
        try (NDScope scope = new NDScope()) {
            NDArray ids = inputIds.toType(DataType.INT64, false);
            NDArray mask = attentionMask.toType(DataType.INT64, false);
            NDArray pos = mask.cumSum(1).sub(1).maximum(0);
            NDArray x = Embedding.embedding(ids, p("wte"), SparseFormat.DENSE).singletonOrThrow()
                    .add(Embedding.embedding(pos, p("wpe"), SparseFormat.DENSE).singletonOrThrow());
            x = drop(x, training);
            NDArray bias = attentionBias(out, mask.toLongArray(), b, s);
            NDArray scale = constant(out, (float) Math.sqrt(dh));
            for (int i = 0; i < config.nLayers(); i++) {
                String n = "h." + i + ".";
                NDArray h = layerNorm(x, n + "ln_1", eps);
                NDList qkv = linear(h, n + "attn.c_attn").split(3, 2);
                NDArray q = heads(qkv.get(0), b, s, heads, dh);
                NDArray k = heads(qkv.get(1), b, s, heads, dh);
                NDArray v = heads(qkv.get(2), b, s, heads, dh);
                NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(scale).add(bias);
                NDArray ctx = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, s, d);
                x = x.add(drop(linear(ctx, n + "attn.c_proj"), training));
                NDArray h2 = layerNorm(x, n + "ln_2", eps);
                NDArray f = linear(h2, n + "mlp.c_fc");
                x = x.add(drop(linear(gelu(f), n + "mlp.c_proj"), training));
            }
            NDArray xf = layerNorm(x, "ln_f", eps);
            NDArray logits = xf.matMul(p("wte").transpose());
            NDScope.unregister(logits);
            logits.attach(out);
            return logits;
        }
    }

    /** {batch, sequence} of a forward pass's inputs, checked: both [batch, sequence], at most {@code maxPositions}. */
    public static int[] batchShape(NDArray inputIds, NDArray attentionMask, int maxPositions) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || !shape.equals(attentionMask.getShape())) {
            throw new IllegalArgumentException("input_ids " + shape + " and attention_mask " + attentionMask.getShape()
                    + " must both be [batch, sequence]");
        }
        int s = Math.toIntExact(shape.get(1));
        if (s > maxPositions) {
            throw new IllegalArgumentException("sequence length " + s + " > maxPositions " + maxPositions);
        }
        return new int[] {Math.toIntExact(shape.get(0)), s};
    }

    /**
     * Mean cross-entropy of the next-token predictions whose target is marked.
     *
     * @param logits     [b, s, V] from {@link #forward}
     * @param inputIds   int64 [b, s]: the target of position t-1 is inputIds[b, t]
     * @param targetMask int [b, s]: 1 where token t counts as a target (predicted from position t-1), 0 elsewhere;
     *                   column 0 is ignored (nothing predicts the first token). Pass the attention mask to train
     *                   on every real token, or an answer mask to train on answer tokens only.
     * @return scalar float32 loss (attached to {@code logits}' manager); NaN-free: zero targets give 0
     */
    public static NDArray loss(NDArray logits, NDArray inputIds, NDArray targetMask) {
        return loss(logits, inputIds, targetMask, 0);
    }

    /**
     * {@link #loss(NDArray, NDArray, NDArray)} for a model whose vocabulary has {@code absentIds}
     * more ids than {@code logits} covers, each with a zero embedding (so a logit of exactly 0 under
     * a tied head): they take part in every softmax as {@code absentIds} x e^0, so the loss is the
     * whole vocabulary's, without computing their logits.
     */
    public static NDArray loss(NDArray logits, NDArray inputIds, NDArray targetMask, long absentIds) {
        NDManager out = logits.getManager();
        try (NDScope scope = new NDScope()) {
            NDArray shifted = logits.get(new NDIndex(":, :-1, :"));
            NDArray lp;
            if (absentIds == 0) {
                lp = shifted.logSoftmax(-1);
            } else {
                NDArray max = shifted.max(new int[]{-1}, true).maximum(0f).stopGradient();
                NDArray sum = shifted.sub(max).exp().sum(new int[]{-1}, true)
                        .add(max.neg().exp().mul((float) absentIds));
                lp = shifted.sub(sum.log().add(max));
            }
            NDArray targets = inputIds.get(new NDIndex(":, 1:")).toType(DataType.INT64, false).expandDims(-1);
            NDArray picked = lp.gather(targets, 2).squeeze(-1);
            NDArray w = targetMask.get(new NDIndex(":, 1:")).toType(DataType.FLOAT32, false);
            NDArray loss = picked.mul(w).sum().neg().div(w.sum().maximum(1f));
            NDScope.unregister(loss);
            loss.attach(out);
            return loss;
        }
    }

    /**
     * One optimisation step: forward in training mode, {@link #loss}, backward, {@code optimizer.step}.
     *
     * @return the loss before the update
     */
    public float trainStep(AdamW optimizer, NDArray inputIds, NDArray attentionMask, NDArray targetMask) {
        float value;
        try (NDManager step = inputIds.getManager().newSubManager();
             GradientCollector gc = inputIds.getManager().getEngine().newGradientCollector()) {
            zeroGradients();
            NDArray logits = forward(inputIds, attentionMask, true);
            logits.attach(step);
            NDArray loss = loss(logits, inputIds, targetMask);
            loss.attach(step);
            gc.backward(loss);
            value = loss.getFloat();
        }
        optimizer.step(params);
        return value;
    }

    /**
     * Zeroes the accumulated gradients of this model's parameters (PyTorch adds every backward pass to them).
     * Use this, not {@link GradientCollector#zeroGradients()}: DJL 0.35.1's PyTorch implementation of that walks
     * every array of the JVM and leaks two gradient handles per parameter per call into the parameters' manager.
     * It computes {@code g - g}, exact for finite gradients but NaN where one is NaN or infinite: after a
     * non-finite backward pass call {@link #clearGradients()}, or that pass poisons every later step.
     */
    @Override
    public void zeroGradients() {
        zeroGradients(params.values());
    }

    /** {@link #zeroGradients()} for any model's parameters. */
    public static void zeroGradients(Collection<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.subi(g);
            }
        }
    }

    /**
     * Scales the gradients of {@code params} to a global L2 norm of at most {@code maxNorm}; false, with nothing
     * scaled, when the norm is not finite (the caller then skips the step and {@link #clearGradients()}).
     */
    public static boolean clipGradientNorm(Collection<NDArray> params, double maxNorm) {
        double sq = 0;
        for (NDArray p : params) {
            // Every intermediate closed: they belong to the parameters' long-lived manager.
            try (NDArray g = p.getGradient(); NDArray squares = g.square(); NDArray sum = squares.sum()) {
                sq += sum.getFloat();
            }
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            return false;
        }
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.muli(scale);
                }
            }
        }
        return true;
    }

    /** Overwrites every gradient with zeros, whatever it holds (about twice as slow as {@link #zeroGradients()}). */
    @Override
    public void clearGradients() {
        clearGradients(params.values());
    }

    /** {@link #clearGradients()} for any model's parameters. */
    public static void clearGradients(Collection<NDArray> params) {
        try (NDScope scope = new NDScope()) { // closes the scalar the indexer creates in the parameters' manager
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.set(ALL, 0);
                }
            }
        }
    }

    /**
     * Sets PyTorch's intra-op thread count for the whole JVM (torch.set_num_threads). Tiny models train much
     * faster, and far more predictably on a busy machine, with 1 thread; large batches profit from more.
     */
    public static void setTorchThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        Engine.getEngine("PyTorch"); // loads the native library the call goes to
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }

    /**
     * Turns PyTorch's autograd recording off on the calling thread. Grad mode is per thread and on by
     * default on a new one; the gradient collector turns it on only while it is open, and the
     * optimizer's in-place updates of the parameters (leaves that require grad) fail while it is on.
     * Every thread that trains calls this first.
     */
    public static void gradModeOffOnThisThread() {
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    /** PyTorch's current intra-op thread count. */
    public static int torchThreads() {
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /**
     * Exact GELU 0.5 x (1 + erf(x / sqrt 2)). DJL 0.35.1's Activation.gelu on PyTorch is torch's default (erf)
     * gelu: checked by DjlGptParityTest against ReferenceGpt.gelu (4.8e-7), and about 10% faster per training
     * step than composing erf from NDArray ops.
     */
    static NDArray gelu(NDArray f) {
        return ai.djl.nn.Activation.gelu(f);
    }

    /**
     * A float32 scalar in memory PyTorch owns. Use it, never a Java number, as an operand whose value autograd
     * saves for the backward pass ({@code div(x)}, {@code mul(x)} on a tensor that requires a gradient): DJL
     * wraps a number in a tensor over a direct ByteBuffer (torch::from_blob) and closes it right after the op, so
     * once the JVM collects that buffer the backward pass reads freed memory. After one garbage collection
     * between forward and backward that turned every query and key gradient into infinity
     * (DjlGptTrainingTest#gradientsDoNotChangeWhenTheJvmCollectsGarbageBetweenForwardAndBackward).
     */
    public static NDArray constant(NDManager manager, float value) {
        return manager.full(new Shape(), value);
    }

    private NDArray heads(NDArray t, int b, int s, int h, int dh) {
        return t.reshape(b, s, h, dh).transpose(0, 2, 1, 3);
    }

    private NDArray linear(NDArray x, String name) {
        return x.matMul(p(name + ".weight")).add(p(name + ".bias"));
    }

    private NDArray layerNorm(NDArray x, String name, float eps) {
        return LayerNorm.layerNorm(x, new Shape(config.dModel()), p(name + ".weight"), p(name + ".bias"), eps)
                .singletonOrThrow();
    }

    private NDArray drop(NDArray x, boolean training) {
        if (!training || dropout == 0f) {
            return x;
        }
        return Dropout.dropout(x, dropout, true).singletonOrThrow();
    }

    /** [b, 1, s, s]: MASK_VALUE where the key is in the future or padding, 0 elsewhere (any decoder's). */
    public static NDArray attentionBias(NDManager m, long[] mask, int b, int s) {
        float[] bias = new float[b * s * s];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    if (j > i || mask[r * s + j] == 0) {
                        bias[(r * s + i) * s + j] = MASK_VALUE;
                    }
                }
            }
        }
        return m.create(bias, new Shape(b, 1, s, s));
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
