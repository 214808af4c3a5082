package dev.knowgate.tools.pretrain;

import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;

import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of a large published vocabulary that the fact world can ever show the model, numbered
 * compactly for training. A 32,000-id head makes every training step about 20x dearer (docs/model.md);
 * trained on the used ids only, with the others' embeddings fixed at zero and counted in the loss's
 * softmax ({@link dev.knowgate.training.gpt.DjlGpt#loss(ai.djl.ndarray.NDArray, ai.djl.ndarray.NDArray,
 * ai.djl.ndarray.NDArray, long)}), the model is the same as one trained over the whole vocabulary
 * with those rows held at zero, and {@link #expand} writes it at the full size.
 */
record UsedVocabulary(int fullSize, int[] toFull, int[] toCompact) {

    static UsedVocabulary of(int fullSize, BitSet used) {
        int[] toFull = used.stream().toArray();
        int[] toCompact = new int[fullSize];
        Arrays.fill(toCompact, -1);
        for (int i = 0; i < toFull.length; i++) {
            toCompact[toFull[i]] = i;
        }
        return new UsedVocabulary(fullSize, toFull, toCompact);
    }

    int size() {
        return toFull.length;
    }

    /** Ids the compact model leaves out (each an implicit logit of 0). */
    long absent() {
        return fullSize - (long) toFull.length;
    }

    int compact(int fullId) {
        int id = toCompact[fullId];
        if (id < 0) {
            throw new IllegalArgumentException("token id " + fullId + " is not among the used ids");
        }
        return id;
    }

    int[] compact(int[] fullIds) {
        return Arrays.stream(fullIds).map(this::compact).toArray();
    }

    /** The same for the Llama architecture (tied head): {@code full} is the shape at the full vocabulary. */
    LlamaWeights expand(LlamaWeights compact, LlamaConfig full) {
        Map<String, GptWeights.Tensor> tensors = new LinkedHashMap<>(compact.tensors());
        tensors.put(LlamaWeights.EMBED, expandRows(compact.get(LlamaWeights.EMBED), full.hiddenSize()));
        return new LlamaWeights(full, tensors);
    }

    /** [used, d] rows at their full ids of a [fullSize, d] matrix, zeros elsewhere. */
    private GptWeights.Tensor expandRows(GptWeights.Tensor compact, int d) {
        float[] rows = new float[fullSize * d];
        for (int i = 0; i < toFull.length; i++) {
            System.arraycopy(compact.data(), i * d, rows, toFull[i] * d, d);
        }
        return new GptWeights.Tensor(new int[]{fullSize, d}, rows);
    }

    /** The trained compact model at the full vocabulary: unused ids' embedding rows are zero. */
    GptWeights expand(GptWeights compact) {
        GptConfig c = compact.config();
        GptConfig full = new GptConfig(fullSize, c.maxPositions(), c.dModel(), c.nHeads(), c.nLayers(), c.dFf(),
                c.layerNormEps());
        Map<String, GptWeights.Tensor> tensors = new LinkedHashMap<>(compact.tensors());
        tensors.put("wte", expandRows(compact.get("wte"), c.dModel()));
        return new GptWeights(full, tensors);
    }
}
