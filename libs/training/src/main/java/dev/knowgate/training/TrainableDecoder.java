package dev.knowgate.training;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * A decoder-only language model in DJL that trains: what pre-training and fine-tuning need of an
 * architecture ({@link dev.knowgate.training.gpt.DjlGpt}, {@link dev.knowgate.training.llama.DjlLlama}).
 *
 * @param <W> the architecture's weights (GptWeights, LlamaWeights)
 */
public interface TrainableDecoder<W> extends AutoCloseable {

    /**
     * @param inputIds      int64 [b, s]
     * @param attentionMask int64 [b, s], 1 = token, 0 = padding
     * @param training      training mode (dropout where the architecture has it)
     * @return logits float32 [b, s, vocab], attached to {@code inputIds}' manager
     */
    NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training);

    /** The live parameters (the optimizer updates them in place). */
    Map<String, NDArray> parameters();

    /** A copy of the current parameters, as the architecture's weights (what its ONNX writer exports). */
    W toWeights();

    /** Zeroes the accumulated gradients (finite ones; see {@link #clearGradients()}). */
    void zeroGradients();

    /** Overwrites every gradient with zeros, whatever it holds. */
    void clearGradients();

    @Override
    void close();
}
