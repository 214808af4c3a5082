package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import dev.knowgate.model.registry.ModelFolder;

import java.util.List;

/**
 * Batched autoregressive decoding: every row of every group is decoded until its chooser picks the
 * stop tokens, its answer reaches {@code maxNewTokens} tokens, or the sequence reaches the model's
 * positions (see {@link Decoded.Stop}).
 */
public interface TokenDecoder extends OrtResource {

    /**
     * The decoded rows, by group and row, in the order given. A prompt longer than
     * {@link #maxPositions()} is refused with a {@link SequenceTooLongException}.
     */
    List<List<Decoded>> decode(List<DecodeGroup> groups, StopTokens stops, int maxNewTokens) throws OrtException;

    /** {@link #decode(List, StopTokens, int)} with one stop token. */
    default List<List<Decoded>> decode(List<DecodeGroup> groups, int stopToken, int maxNewTokens) throws OrtException {
        return decode(groups, StopTokens.of(stopToken), maxNewTokens);
    }

    /** The longest sequence the model takes (Integer.MAX_VALUE when the export does not say). */
    int maxPositions();

    @Override
    void close() throws OrtException;

    /**
     * The fastest decoder a version offers: KV-cache decoding when the folder ships
     * {@value KvCacheDecoder#MODEL_FILE} or is an HF export (then on {@code model}'s own session), else
     * recomputation through {@code model}. The returned decoder does not close {@code model}, which
     * must outlive it.
     */
    static TokenDecoder forFolder(ModelFolder folder, RuntimeOptions options, OnnxCausalLm model, int padId)
            throws OrtException {
        KvSession shared = KvSession.sharing(folder, model);
        if (shared != null) {
            return KvCacheDecoder.laned(shared, padId, KvCacheDecoder.Padding.LEFT, options.scoringThreads());
        }
        return KvCacheDecoder.available(folder) ? KvCacheDecoder.load(folder, options, padId)
                : new RecomputingDecoder(model, padId);
    }
}
