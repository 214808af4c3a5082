package dev.knowgate.training;

import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.GptWeights.Tensor;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;

import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of a large vocabulary that training can use, numbered compactly; the others are absent:
 * their (tied) embedding rows stay zero, so each has a logit of exactly 0 and is counted in every
 * softmax as {@code absent()} x e^0 ({@link dev.knowgate.training.gpt.DjlGpt#loss(ai.djl.ndarray.NDArray,
 * ai.djl.ndarray.NDArray, ai.djl.ndarray.NDArray, long)}). The model trained on the compact ids is the
 * one trained over the whole vocabulary with those rows held at zero, about as many times cheaper as
 * the vocabulary is larger than the ids in use (a 32,000-id head against the 1315 the fact world
 * shows, docs/model.md). Pre-training uses the ids the world can show; a fine-tuning round the rows
 * that are not zero and the ids its sequences use ({@code FineTuner}).
 *
 * @param fullSize  the vocabulary's size
 * @param toFull    compact id -> full id, ascending
 * @param toCompact full id -> compact id, -1 where absent
 */
public record UsedVocabulary(int fullSize, int[] toFull, int[] toCompact) {

    public static UsedVocabulary of(int fullSize, BitSet used) {
        int[] toFull = used.stream().toArray();
        int[] toCompact = new int[fullSize];
        Arrays.fill(toCompact, -1);
        for (int i = 0; i < toFull.length; i++) {
            toCompact[toFull[i]] = i;
        }
        return new UsedVocabulary(fullSize, toFull, toCompact);
    }

    /** The ids in use: rows of a tied [vocab, d] embedding that are not all zero. */
    public static BitSet nonZeroRows(Tensor embedding) {
        int vocab = embedding.shape()[0];
        int d = embedding.shape()[1];
        float[] rows = embedding.data();
        BitSet used = new BitSet(vocab);
        for (int id = 0; id < vocab; id++) {
            for (int j = id * d; j < (id + 1) * d; j++) {
                if (rows[j] != 0f) {
                    used.set(id);
                    break;
                }
            }
        }
        return used;
    }

    public int size() {
        return toFull.length;
    }

    /** Ids the compact model leaves out (each an implicit logit of 0). */
    public long absent() {
        return fullSize - (long) toFull.length;
    }

    public int compact(int fullId) {
        int id = toCompact[fullId];
        if (id < 0) {
            throw new IllegalArgumentException("token id " + fullId + " is not among the used ids");
        }
        return id;
    }

    public int[] compact(int[] fullIds) {
        return Arrays.stream(fullIds).map(this::compact).toArray();
    }

    /** The used rows of a [fullSize, d] matrix, in compact order. */
    public Tensor compactRows(Tensor full) {
        int d = full.shape()[1];
        float[] rows = new float[toFull.length * d];
        for (int i = 0; i < toFull.length; i++) {
            System.arraycopy(full.data(), toFull[i] * d, rows, i * d, d);
        }
        return new Tensor(new int[] {toFull.length, d}, rows);
    }

    /** [used, d] rows at their full ids of a [fullSize, d] matrix, zeros elsewhere. */
    public Tensor expandRows(Tensor compact) {
        int d = compact.shape()[1];
        float[] rows = new float[fullSize * d];
        for (int i = 0; i < toFull.length; i++) {
            System.arraycopy(compact.data(), i * d, rows, toFull[i] * d, d);
        }
        return new Tensor(new int[] {fullSize, d}, rows);
    }

    /** The same for the Llama architecture (tied head): {@code full} is the shape at the full vocabulary. */
    public LlamaWeights expand(LlamaWeights compact, LlamaConfig full) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(compact.tensors());
        tensors.put(LlamaWeights.EMBED, expandRows(compact.get(LlamaWeights.EMBED)));
        return new LlamaWeights(full, tensors);
    }

    /** The trained compact model at the full vocabulary: unused ids' embedding rows are zero. */
    public GptWeights expand(GptWeights compact) {
        GptConfig c = compact.config();
        GptConfig full = new GptConfig(fullSize, c.maxPositions(), c.dModel(), c.nHeads(), c.nLayers(), c.dFf(),
                c.layerNormEps());
        Map<String, Tensor> tensors = new LinkedHashMap<>(compact.tensors());
        tensors.put("wte", expandRows(compact.get("wte")));
        return new GptWeights(full, tensors);
    }
}
