package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import dev.knowgate.model.registry.ModelFolder;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Teacher forcing on a KV cache: each distinct shared prefix of a call (see
 * {@link ScoringRequest#sharedPrefix()}) runs once, and every request that starts with it runs only
 * its remaining tokens on that prefix's cache. The answer and its aliases then share one pass over
 * their prompt, and prompts that share exemplars share their pass too.
 *
 * <p>For the project's own models the scorer runs a variant built from the version's weights whose
 * head computes only the positions that are read, with top-k and the normaliser computed by ONNX
 * Runtime ({@code GptOnnxWriter.Variant.KV_SCORING}); any other model (an optimum export) runs its
 * {@value KvSession#MODEL_FILE} with full logits.
 *
 * <p>A call's chunks run on {@link #threads()} lanes at once, each with its own buffers on the one
 * session ({@link RuntimeOptions#scoringThreads()}).
 *
 * <p>Scores equal {@link TargetScorer}'s up to float rounding (the same model, computed in two
 * pieces). One call at a time per scorer.
 */
public final class PrefixScorer implements TeacherForcing, OrtResource {

    /** Prefixes run together in one pass, and the most rows a continuation pass should take. */
    private static final int MAX_PREFIXES = 32;
    private static final int MAX_ROWS = 64;

    /**
     * Passes at once when {@link RuntimeOptions#scoringThreads()} is 0, on a CPU with two cores or
     * more ({@link Lanes#of}). On the 2-core build machine a pass on ONNX Runtime's default threads
     * keeps one core busy, and a second pass at once did as well as one pass on two intra-op threads
     * per example and better per relation, where two passes of two threads each lost
     * (docs/benchmarks.md, "Scoring threads").
     */
    public static final int AUTO_THREADS = 2;

    /** The first lane; it owns the session (or shares a whole-sequence model's) and decodes. */
    private final KvSession kv;
    /** Lane i's buffers; lane 0 is {@link #kv}. */
    private final List<KvSession> lanes;
    private final Lanes threads;
    private final int padId;
    private long passes;
    private long positions;
    private long tokens;
    private long attended;
    private long headRows;
    private long targets;
    private long modelNanos;
    private long copyNanos;

    private PrefixScorer(KvSession kv, int padId, int scoringThreads) throws OrtException {
        this.kv = kv;
        this.padId = padId;
        this.threads = Lanes.of(scoringThreads, kv);
        List<KvSession> opened = new ArrayList<>(List.of(kv));
        try {
            for (int i = 1; i < threads.count(); i++) {
                opened.add(kv.lane());
            }
        } catch (OrtException | RuntimeException e) {
            threads.close();
            kv.close();
            throw e;
        }
        this.lanes = List.copyOf(opened);
    }

    /** For a verified folder, on the session {@link KvSession#open} chooses (the head only where read, for our models). */
    public static PrefixScorer load(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        return new PrefixScorer(KvSession.open(folder, options), padId, options.scoringThreads());
    }

    /**
     * The shared-prefix scorer a version offers, as {@link TokenDecoder#forFolder} picks its decoder:
     * for an HF export (one model.onnx that takes the cache) on {@code model}'s own session, which must
     * then outlive the scorer; {@link #load} when the folder ships {@value KvCacheDecoder#MODEL_FILE};
     * null when it has neither (score whole sequences through {@code model} then).
     */
    public static PrefixScorer forFolder(ModelFolder folder, RuntimeOptions options, int padId, OnnxCausalLm model)
            throws OrtException {
        KvSession shared = KvSession.sharing(folder, model);
        if (shared != null) {
            return new PrefixScorer(shared, padId, options.scoringThreads());
        }
        return KvCacheDecoder.available(folder) ? load(folder, options, padId) : null;
    }

    /** Scores through the folder's {@value KvSession#MODEL_FILE}, every position's logits computed. */
    public static PrefixScorer loadKvExport(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        return new PrefixScorer(KvSession.openExport(folder, options), padId, options.scoringThreads());
    }

    public int vocabSize() {
        return kv.vocab();
    }

    /** Passes one call runs at once. */
    public int threads() {
        return lanes.size();
    }

    /**
     * What the scorer has run so far, for benchmarks that turn it into FLOPs.
     *
     * @param passes    model passes
     * @param positions positions computed, padding included
     * @param tokens    real tokens computed (each once, however many requests share it)
     * @param attended  attention (query, key) pairs over real tokens, per layer
     * @param headRows  rows the head computed
     * @param targets   rows that were read (target positions)
     * @param modelNanos time inside ONNX Runtime's passes
     * @param copyNanos  time copying prefix caches to the rows that continue them
     */
    public record Work(long passes, long positions, long tokens, long attended, long headRows, long targets,
                       long modelNanos, long copyNanos) {

        static final Work NONE = new Work(0, 0, 0, 0, 0, 0, 0, 0);

        public Work minus(Work before) {
            return new Work(passes - before.passes, positions - before.positions, tokens - before.tokens,
                    attended - before.attended, headRows - before.headRows, targets - before.targets,
                    modelNanos - before.modelNanos, copyNanos - before.copyNanos);
        }

        Work plus(Work more) {
            return new Work(passes + more.passes, positions + more.positions, tokens + more.tokens,
                    attended + more.attended, headRows + more.headRows, targets + more.targets,
                    modelNanos + more.modelNanos, copyNanos + more.copyNanos);
        }
    }

    public synchronized Work work() {
        return new Work(passes, positions, tokens, attended, headRows, targets, modelNanos, copyNanos);
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
        List<Chunk> chunks = new ArrayList<>();
        List<IntBuffer> prefixes = new ArrayList<>();
        List<List<Integer>> members = new ArrayList<>();
        int rows = 0;
        int longestPrefix = 0;
        int longestRest = 0;
        for (Map.Entry<IntBuffer, List<Integer>> group : byPrefix.entrySet()) {
            int prefix = group.getKey().capacity();
            int rest = group.getValue().stream().mapToInt(i -> requests.get(i).tokens().length - prefix).max().orElse(0);
            if (!prefixes.isEmpty() && (prefixes.size() == MAX_PREFIXES || rows + group.getValue().size() > MAX_ROWS
                    || overBudget(prefixes.size() + 1, rows + group.getValue().size(), Math.max(longestPrefix, prefix),
                    Math.max(longestRest, rest)))) {
                chunks.add(new Chunk(prefixes, members));
                prefixes = new ArrayList<>();
                members = new ArrayList<>();
                rows = 0;
                longestPrefix = 0;
                longestRest = 0;
            }
            prefixes.add(group.getKey());
            members.add(group.getValue());
            rows += group.getValue().size();
            longestPrefix = Math.max(longestPrefix, prefix);
            longestRest = Math.max(longestRest, rest);
        }
        if (!prefixes.isEmpty()) {
            chunks.add(new Chunk(prefixes, members));
        }
        TargetScore[] scores = new TargetScore[requests.size()];
        count(scoreChunks(requests, chunks, temperature, topK, scores));
        return List.of(scores);
    }

    /** Prefixes run in one pass, and the requests (indexes) continuing each. */
    private record Chunk(List<IntBuffer> prefixes, List<List<Integer>> members) {
    }

    /**
     * Every chunk, on as many lanes as there are chunks (up to {@link #threads()}): the calling thread
     * runs lane 0, and each lane takes the next chunk not yet taken. Returns only when every lane has
     * stopped, so the next call finds the lanes' buffers free.
     */
    private Work scoreChunks(List<ScoringRequest> requests, List<Chunk> chunks, double temperature, int topK,
                             TargetScore[] into) throws OrtException {
        AtomicInteger next = new AtomicInteger();
        Work done = Work.NONE;
        for (Work lane : threads.all(Math.min(lanes.size(), chunks.size()),
                l -> drain(lanes.get(l), next, requests, chunks, temperature, topK, into))) {
            done = done.plus(lane);
        }
        return done;
    }

    /** Chunks on one lane until none is left (or another lane failed: it takes them all). */
    private Work drain(KvSession lane, AtomicInteger next, List<ScoringRequest> requests, List<Chunk> chunks,
                       double temperature, int topK, TargetScore[] into) throws OrtException {
        Work done = Work.NONE;
        for (int c = next.getAndIncrement(); c < chunks.size(); c = next.getAndIncrement()) {
            try {
                done = done.plus(scoreChunk(lane, padId, requests, chunks.get(c), temperature, topK, into));
            } catch (OrtException | RuntimeException | Error e) {
                next.set(chunks.size());
                throw e;
            }
        }
        return done;
    }

    private synchronized void count(Work w) {
        passes += w.passes();
        positions += w.positions();
        tokens += w.tokens();
        attended += w.attended();
        headRows += w.headRows();
        targets += w.targets();
        modelNanos += w.modelNanos();
        copyNanos += w.copyNanos();
    }

    /**
     * Decoding on this scorer's session, under its lock: exact SliCK's greedy decodes (where teacher
     * forcing cannot tell) reuse the cache without a second copy of the model in memory. Closing it
     * leaves the scorer open.
     */
    public TokenDecoder decoder() {
        KvCacheDecoder decoder = new KvCacheDecoder(kv, padId, KvCacheDecoder.Padding.LEFT);
        return new TokenDecoder() {
            @Override
            public List<List<Decoded>> decode(List<DecodeGroup> groups, StopTokens stops, int maxNewTokens)
                    throws OrtException {
                synchronized (PrefixScorer.this) {
                    return decoder.decode(groups, stops, maxNewTokens);
                }
            }

            @Override
            public int maxPositions() {
                return decoder.maxPositions();
            }

            @Override
            public void close() {
                // the scorer owns the session
            }
        };
    }

    /** For tests: see {@link KvSession#budgetBytes(long)}. */
    void budgetBytes(long bytes) {
        for (KvSession lane : lanes) {
            lane.budgetBytes(bytes);
        }
    }

    /**
     * Whether a chunk would pass {@link KvSession#EXPORT_BUDGET_BYTES} on an export that computes
     * every position's logits: the prefix pass's and the members' logits, and both cache sides.
     * Our own exports (selected rows) keep {@link #MAX_ROWS}, far below it at their size.
     */
    private boolean overBudget(int prefixes, int rows, int longestPrefix, int longestRest) {
        if (kv.selected()) {
            return false;
        }
        long logits = kv.bytesPerLogit() * kv.vocab() * ((long) prefixes * longestPrefix + (long) rows * longestRest);
        long caches = 2L * rows * (longestPrefix + longestRest) * kv.cacheBytesPerColumn();
        return logits + caches > kv.budgetBytes();
    }

    /** One pass over the prefixes (right-padded), then one over every member's remaining tokens. */
    private static Work scoreChunk(KvSession kv, int padId, List<ScoringRequest> all, Chunk chunk, double temperature,
                                   int topK, TargetScore[] into) throws OrtException {
        List<IntBuffer> prefixes = chunk.prefixes();
        List<List<Integer>> members = chunk.members();
        long passes = 0;
        long positions = 0;
        long tokens = 0;
        long attended = 0;
        long headRows = 0;
        long targets = 0;
        long modelNanos = 0;
        long copyNanos = 0;
        int p = prefixes.size();
        int past = prefixes.stream().mapToInt(IntBuffer::capacity).max().orElseThrow();
        long[][] prefixMask = new long[p][past];
        if (past > 0) {
            LongBuffer ids = KvSession.directLongs(p * past);
            LongBuffer at = KvSession.directLongs(p * past);
            LongBuffer mask = KvSession.directLongs(p * past);
            for (int g = 0; g < p; g++) {
                IntBuffer prefix = prefixes.get(g);
                for (int c = 0; c < past; c++) {
                    boolean real = c < prefix.capacity();
                    ids.put(real ? prefix.get(c) : padId);
                    at.put(real ? c : 0);
                    mask.put(real ? 1 : 0);
                    prefixMask[g][c] = real ? 1 : 0;
                }
            }
            passes++;
            positions += (long) p * past;
            for (IntBuffer prefix : prefixes) {
                long n = prefix.capacity();
                tokens += n;
                attended += n * (n + 1) / 2;
            }
            headRows += kv.selected() ? 1 : (long) p * past;
            long start = System.nanoTime();
            if (kv.selected()) {
                // The prefix's logits are never read: the head runs on one row (ONNX Runtime's TopK dies
                // with SIGFPE on zero rows).
                kv.runSelected(ids.rewind(), at.rewind(), mask.rewind(), p, past, 0, -1,
                        KvSession.directLongs(1).put(0, 0), 1, 1);
            } else {
                kv.runForCache(ids.rewind(), at.rewind(), mask.rewind(), p, past, 0, -1);
            }
            modelNanos += System.nanoTime() - start;
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
        LongBuffer at = KvSession.directLongs(size * longest);
        LongBuffer mask = KvSession.directLongs(size * (past + longest));
        for (int b = 0; b < size; b++) {
            ScoringRequest r = batch.get(b);
            int from = r.sharedPrefix();
            int length = r.tokens().length - from;
            for (int c = 0; c < longest; c++) {
                boolean real = c < length;
                ids.put(real ? r.tokens()[from + c] : padId);
                at.put(real ? from + c : 0);
            }
            mask.put(prefixMask[sourceRows[b]]);
            for (int c = 0; c < longest; c++) {
                mask.put(c < length ? 1 : 0);
            }
        }
        int pastSide = -1;
        if (past > 0) {
            long start = System.nanoTime();
            kv.gather(0, sourceRows, past);
            copyNanos += System.nanoTime() - start;
            pastSide = 1;
        }
        int vocab = kv.vocab();
        int columns = longest;
        passes++;
        positions += (long) size * columns;
        long read = 0;
        for (ScoringRequest r : batch) {
            long from = r.sharedPrefix();
            long to = r.tokens().length;
            tokens += to - from;
            attended += (to * (to + 1) - from * (from + 1)) / 2; // token i attends to i + 1 keys
            read += r.targets();
        }
        targets += read;
        headRows += kv.selected() ? read : (long) size * columns;
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
            long start = System.nanoTime();
            // One value more than top-k: whether the k-th value has ties outside the k is then visible.
            KvSession.Selected selected = kv.runSelected(ids.rewind(), at.rewind(), mask.rewind(), size, columns,
                    past, pastSide, rows.rewind(), rowCount, Math.min(topK + 1, vocab));
            modelNanos += System.nanoTime() - start;
            scores = TargetScorer.scoreSelected(batch, offset, temperature, topK, vocab, selected);
        } else {
            long start = System.nanoTime();
            FloatBuffer logits = kv.run(ids.rewind(), at.rewind(), mask.rewind(), size, columns, past, pastSide);
            modelNanos += System.nanoTime() - start;
            scores = TargetScorer.scoreRows(batch, temperature, topK, vocab,
                    (b, position, row) -> logits.get((b * columns + position - batch.get(b).sharedPrefix()) * vocab,
                            row, 0, vocab));
        }
        for (int b = 0; b < size; b++) {
            into[owners.get(b)] = scores.get(b);
        }
        return new Work(passes, positions, tokens, attended, headRows, targets, modelNanos, copyNanos);
    }

    @Override
    public synchronized void close() throws OrtException {
        threads.close();
        for (KvSession lane : lanes.subList(1, lanes.size())) {
            lane.close(); // buffers only: lane 0 closes the session
        }
        kv.close();
    }
}
