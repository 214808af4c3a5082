package dev.knowgate.training.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.HashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter: decoupled weight decay) over NDArrays, updating parameters in place from their
 * gradients. Weight decay applies only to tensors of rank >= 2 (matrices and embeddings), not to biases and
 * LayerNorm gains, as is usual for GPT-2. State (first and second moments) lives in each parameter's manager.
 */
public final class AdamW implements AutoCloseable {

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private float learningRate;
    private int step;
    private final Map<String, NDArray[]> state = new HashMap<>();

    public AdamW(float learningRate, float beta1, float beta2, float epsilon, float weightDecay) {
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)
                || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid AdamW hyper-parameters");
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** lr, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 (PyTorch's AdamW defaults apart from lr). */
    public static AdamW withLearningRate(float learningRate) {
        return new AdamW(learningRate, 0.9f, 0.999f, 1e-8f, 0.01f);
    }

    public float learningRate() {
        return learningRate;
    }

    /** For schedules (warm-up, decay): takes effect at the next {@link #step}. */
    public void learningRate(float lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0");
        }
        this.learningRate = lr;
    }

    public int steps() {
        return step;
    }

    /** Applies one update to every parameter from its current gradient. */
    public void step(Map<String, NDArray> params) {
        step++;
        float c1 = 1f - (float) Math.pow(beta1, step);
        float c2 = 1f - (float) Math.pow(beta2, step);
        float stepSize = learningRate / c1;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray[] mv = state.computeIfAbsent(e.getKey(), k -> {
                NDArray m = p.zerosLike();
                NDArray v = p.zerosLike();
                m.setRequiresGradient(false);
                v.setRequiresGradient(false);
                return new NDArray[] {m, v};
            });
            try (NDScope scope = new NDScope()) {
                NDArray g = p.getGradient();
                if (weightDecay > 0 && p.getShape().dimension() >= 2) {
                    p.subi(p.mul(learningRate * weightDecay));
                }
                mv[0].muli(beta1).addi(g.mul(1f - beta1));
                mv[1].muli(beta2).addi(g.square().muli(1f - beta2));
                NDArray denom = mv[1].div(c2).sqrt().addi(epsilon);
                p.subi(mv[0].div(denom).muli(stepSize));
            }
        }
    }

    @Override
    public void close() {
        for (NDArray[] mv : state.values()) {
            mv[0].close();
            mv[1].close();
        }
        state.clear();
    }
}
