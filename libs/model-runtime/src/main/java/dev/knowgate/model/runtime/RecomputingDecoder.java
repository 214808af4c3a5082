package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;

import java.util.ArrayList;
import java.util.List;

/**
 * Decoding without a KV cache: each step runs every unfinished sequence, prompt included, through
 * the plain model again. The fallback for versions without {@value KvCacheDecoder#MODEL_FILE}; the
 * first step still computes each prompt once for all of its rows, since their logits there are the
 * same. Does not own the model.
 */
public final class RecomputingDecoder implements TokenDecoder {

    /** Sequences per forward pass at most (fewer where the logits budget says so). */
    private static final int MAX_BATCH = 64;

    private final OnnxCausalLm model;
    private final int padId;

    public RecomputingDecoder(OnnxCausalLm model, int padId) {
        this.model = model;
        this.padId = padId;
    }

    @Override
    public int maxPositions() {
        return model.maxPositions();
    }

    @Override
    public List<List<Decoded>> decode(List<DecodeGroup> groups, StopTokens stops, int maxNewTokens) throws OrtException {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        int maxPositions = model.maxPositions();
        List<DecodingRow> rows = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            int[] prompt = groups.get(g).prompt();
            if (prompt.length > maxPositions) {
                throw new SequenceTooLongException(prompt.length, maxPositions);
            }
            prompts.add(prompt);
            for (TokenChooser chooser : groups.get(g).rows()) {
                rows.add(new DecodingRow(g, prompt, chooser));
            }
        }
        // Sequences per pass: at most MAX_BATCH, and few enough that their logits stay in the budget.
        int perPass = model.sequencesPerPass(prompts.stream().mapToInt(p -> p.length).max().orElse(1) + maxNewTokens,
                MAX_BATCH);
        // First step: one pass per prompt, shared by its rows.
        float[] logits = new float[model.vocabSize()];
        List<List<DecodingRow>> byGroup = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            byGroup.add(new ArrayList<>());
        }
        rows.forEach(r -> byGroup.get(r.group).add(r));
        for (int from = 0; from < prompts.size(); from += perPass) {
            int first = from;
            List<int[]> chunk = prompts.subList(from, Math.min(prompts.size(), from + perPass));
            model.forward(chunk, padId, out -> {
                for (int i = 0; i < chunk.size(); i++) {
                    out.row(i, chunk.get(i).length - 1, logits);
                    for (DecodingRow row : byGroup.get(first + i)) {
                        row.step(logits, stops, maxNewTokens, maxPositions);
                    }
                }
                return null;
            });
        }
        // Then every unfinished sequence again, whole, until none is left.
        List<DecodingRow> active = rows.stream().filter(DecodingRow::active).toList();
        while (!active.isEmpty()) {
            for (int from = 0; from < active.size(); from += perPass) {
                List<DecodingRow> chunk = active.subList(from, Math.min(active.size(), from + perPass));
                List<int[]> sequences = chunk.stream().map(DecodingRow::sequence).toList();
                model.forward(sequences, padId, out -> {
                    for (int i = 0; i < chunk.size(); i++) {
                        DecodingRow row = chunk.get(i);
                        row.fed();
                        out.row(i, row.fedLength() - 1, logits);
                        row.step(logits, stops, maxNewTokens, maxPositions);
                    }
                    return null;
                });
            }
            active = active.stream().filter(DecodingRow::active).toList();
        }
        List<List<Decoded>> results = new ArrayList<>(groups.size());
        for (List<DecodingRow> group : byGroup) {
            results.add(group.stream().map(DecodingRow::result).toList());
        }
        return results;
    }

    /** Nothing to close: the model belongs to the caller. */
    @Override
    public void close() {
    }
}
