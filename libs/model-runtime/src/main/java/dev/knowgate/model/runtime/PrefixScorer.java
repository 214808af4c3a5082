package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Teacher forcing on a KV cache: each distinct shared prefix of a call (see
 * {@link ScoringRequest#sharedPrefix()}) runs once, and every request that starts with it runs only
 * its remaining tokens on that prefix's cache. The answer and its aliases then share one pass over
 * their prompt, and prompts that share exemplars share their pass too.
 *
 * <p>For the project's own models the scorer runs a variant built from the version's weights whose
 * head computes only the positions that are read ({@link GptOnnxWriter.Variant#KV_SCORING}); any
 * other model (an optimum export) runs its {@value KvSession#MODEL_FILE} with full logits.
 *
 * <p>Scores equal {@link TargetScorer}'s up to float rounding (the same model, computed in two
 * pieces). One call at a time per scorer.
 */
public final class PrefixScorer implements TeacherForcing, OrtResource {

    /** Prefixes run together in one pass, and the most rows a continuation pass should take. */
    private static final int MAX_PREFIXES = 32;
    private static final int MAX_ROWS = 64;

    private final KvSession kv;
    private final int padId;

    private PrefixScorer(KvSession kv, int padId) {
        this.kv = kv;
        this.padId = padId;
    }

    /**
     * For a verified folder: the selected-rows variant of its own weights when {@value OnnxCausalLm#MODEL_FILE}
     * was written by {@link GptOnnxWriter}, else its KV-cache export ({@link KvCacheDecoder#available}).
     */
    public static PrefixScorer load(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        GptWeights weights;
        try {
            weights = GptOnnxReader.readWeights(folder.file(OnnxCausalLm.MODEL_FILE));
        } catch (IOException notOurs) {
            return loadKvExport(folder, options, padId);
        }
        byte[] model = GptOnnxWriter.toBytes(weights, GptOnnxWriter.Variant.KV_SCORING, Map.of());
        return SessionLoader.openBytes(model, folder.dir() + " (kv-scoring)", options,
                (env, session, provider) -> new PrefixScorer(new KvSession(env, session), padId));
    }

    /** Scores through the folder's {@value KvSession#MODEL_FILE}, every position's logits computed. */
    public static PrefixScorer loadKvExport(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        return SessionLoader.open(folder, KvSession.MODEL_FILE, options,
                (env, session, provider) -> new PrefixScorer(new KvSession(env, session), padId));
    }

    public int vocabSize() {
        return kv.vocab();
    }

    @Override
    public synchronized List<TargetScore> score(List<ScoringRequest> requests, double temperature, int topK)
            throws OrtException {
        TargetScorer.checkSampling(temperature, topK);
        for (ScoringRequest request : requests) {
            if (request.tokens().length > kv.maxPositions()) {
                throw new SequenceTooLongException(request.tokens().length, kv.maxPositions());
            }
        }
        // Requests by prefix, first-seen order; IntBuffer compares by content.
        Map<IntBuffer, List<Integer>> byPrefix = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            ScoringRequest r = requests.get(i);
            byPrefix.computeIfAbsent(IntBuffer.wrap(Arrays.copyOf(r.tokens(), r.sharedPrefix())), p -> new ArrayList<>())
                    .add(i);
        }
        TargetScore[] scores = new TargetScore[requests.size()];
        List<IntBuffer> prefixes = new ArrayList<>();
        List<List<Integer>> members = new ArrayList<>();
        int rows = 0;
        for (Map.Entry<IntBuffer, List<Integer>> group : byPrefix.entrySet()) {
            if (!prefixes.isEmpty() && (prefixes.size() == MAX_PREFIXES || rows + group.getValue().size() > MAX_ROWS)) {
                scoreChunk(requests, prefixes, members, temperature, topK, scores);
                prefixes.clear();
                members.clear();
                rows = 0;
            }
            prefixes.add(group.getKey());
            members.add(group.getValue());
            rows += group.getValue().size();
        }
        if (!prefixes.isEmpty()) {
            scoreChunk(requests, prefixes, members, temperature, topK, scores);
        }
        return List.of(scores);
    }

    /** One pass over the prefixes (right-padded), then one over every member's remaining tokens. */
    private void scoreChunk(List<ScoringRequest> all, List<IntBuffer> prefixes, List<List<Integer>> members,
                            double temperature, int topK, TargetScore[] into) throws OrtException {
        int p = prefixes.size();
        int past = prefixes.stream().mapToInt(IntBuffer::capacity).max().orElseThrow();
        long[][] prefixMask = new long[p][past];
        if (past > 0) {
            LongBuffer ids = KvSession.directLongs(p * past);
            LongBuffer positions = KvSession.directLongs(p * past);
            LongBuffer mask = KvSession.directLongs(p * past);
            for (int g = 0; g < p; g++) {
                IntBuffer prefix = prefixes.get(g);
                for (int c = 0; c < past; c++) {
                    boolean real = c < prefix.capacity();
                    ids.put(real ? prefix.get(c) : padId);
                    positions.put(real ? c : 0);
                    mask.put(real ? 1 : 0);
                    prefixMask[g][c] = real ? 1 : 0;
                }
            }
            if (kv.selected()) { // the prefix's logits are never read
                kv.runSelected(ids.rewind(), positions.rewind(), mask.rewind(), p, past, 0, -1, KvSession.directLongs(0), 0);
            } else {
                kv.run(ids.rewind(), positions.rewind(), mask.rewind(), p, past, 0, -1);
            }
        }
        List<ScoringRequest> batch = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        int[] sourceRows = new int[members.stream().mapToInt(List::size).sum()];
        int longest = 0;
        for (int g = 0; g < p; g++) {
            for (int i : members.get(g)) {
                ScoringRequest r = all.get(i);
                sourceRows[batch.size()] = g;
                batch.add(r);
                owners.add(i);
                longest = Math.max(longest, r.tokens().length - r.sharedPrefix());
            }
        }
        int size = batch.size();
        LongBuffer ids = KvSession.directLongs(size * longest);
        LongBuffer positions = KvSession.directLongs(size * longest);
        LongBuffer mask = KvSession.directLongs(size * (past + longest));
        for (int b = 0; b < size; b++) {
            ScoringRequest r = batch.get(b);
            int from = r.sharedPrefix();
            int length = r.tokens().length - from;
            for (int c = 0; c < longest; c++) {
                boolean real = c < length;
                ids.put(real ? r.tokens()[from + c] : padId);
                positions.put(real ? from + c : 0);
            }
            mask.put(prefixMask[sourceRows[b]]);
            for (int c = 0; c < longest; c++) {
                mask.put(c < length ? 1 : 0);
            }
        }
        int pastSide = -1;
        if (past > 0) {
            kv.gather(0, sourceRows, past);
            pastSide = 1;
        }
        int vocab = kv.vocab();
        int columns = longest;
        List<TargetScore> scores;
        if (kv.selected()) {
            // Only the rows that predict a target: request b's t-th target is row offset[b] + t.
            int[] offset = new int[size];
            int rowCount = 0;
            for (int b = 0; b < size; b++) {
                offset[b] = rowCount;
                rowCount += batch.get(b).targets();
            }
            LongBuffer rows = KvSession.directLongs(rowCount);
            for (int b = 0; b < size; b++) {
                ScoringRequest r = batch.get(b);
                for (int t = 0; t < r.targets(); t++) {
                    rows.put((long) b * columns + r.firstTarget() - 1 + t - r.sharedPrefix());
                }
            }
            FloatBuffer logits = kv.runSelected(ids.rewind(), positions.rewind(), mask.rewind(), size, columns, past,
                    pastSide, rows.rewind(), rowCount);
            scores = TargetScorer.scoreRows(batch, temperature, topK, vocab,
                    (b, position, row) -> logits.get((offset[b] + position - (batch.get(b).firstTarget() - 1)) * vocab,
                            row, 0, vocab));
        } else {
            FloatBuffer logits = kv.run(ids.rewind(), positions.rewind(), mask.rewind(), size, columns, past, pastSide);
            scores = TargetScorer.scoreRows(batch, temperature, topK, vocab,
                    (b, position, row) -> logits.get((b * columns + position - batch.get(b).sharedPrefix()) * vocab,
                            row, 0, vocab));
        }
        for (int b = 0; b < size; b++) {
            into[owners.get(b)] = scores.get(b);
        }
    }

    @Override
    public synchronized void close() throws OrtException {
        kv.close();
    }
}
