package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import dev.knowgate.model.registry.ModelFolder;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Incremental decoding with a KV cache, through the optimum-layout export of a version
 * ({@value #MODEL_FILE}: inputs input_ids, position_ids, attention_mask [batch, past + sequence],
 * past_key_values.{i}.key/.value; outputs logits and present.{i}.key/.value).
 *
 * <p>The prompts of a call run once, padded to the longest (left by default, or right), producing
 * their cache; each group's cache is then copied to the sequences decoded from it (for SliCK: one
 * greedy decode and N samples share one prompt pass) and every step feeds one token per sequence.
 * The attention mask keeps padding out of every query's view wherever it sits, and position ids
 * count real tokens only, so a row's logits do not depend on its neighbours' lengths. Rows of a
 * group that have chosen the same tokens so far share one batch entry and cache row (their logits
 * are the same; each still chooses with its own chooser); entries whose rows all stopped leave the
 * batch.
 *
 * <p>The cache lives in two native buffers per layer tensor that ONNX Runtime reads from and writes
 * into in turn (pinned outputs), so no step copies it through Java. Decoding is synchronized: one
 * call at a time per decoder. A call's groups may be split over lanes that decode at once, each on
 * its own buffers over the one session ({@link RuntimeOptions#scoringThreads()}).
 */
public final class KvCacheDecoder implements TokenDecoder {

    public static final String MODEL_FILE = KvSession.MODEL_FILE;

    /** Where a prompt shorter than the longest of its batch gets its padding. */
    public enum Padding { LEFT, RIGHT }

    private final KvSession kv;
    private final int padId;
    private final Padding padding;
    /** Null, or the lanes a call's groups are split over: this decoder runs lane 0, {@link #others} the rest. */
    private final Lanes threads;
    private final List<KvCacheDecoder> others;

    /** One lane: every call's groups on {@code kv}. */
    KvCacheDecoder(KvSession kv, int padId, Padding padding) {
        this(kv, padId, padding, null, List.of());
    }

    private KvCacheDecoder(KvSession kv, int padId, Padding padding, Lanes threads, List<KvCacheDecoder> others) {
        this.kv = kv;
        this.padId = padId;
        this.padding = padding;
        this.threads = threads;
        this.others = others;
    }

    /**
     * A decoder that splits a call's groups over {@code scoringThreads} lanes on {@code kv}'s session
     * (0: {@link Lanes#of} chooses). Groups decode independently, so the tokens are those of one lane.
     */
    static KvCacheDecoder laned(KvSession kv, int padId, Padding padding, int scoringThreads) throws OrtException {
        Lanes threads = Lanes.of(scoringThreads, kv);
        List<KvCacheDecoder> others = new ArrayList<>();
        try {
            for (int i = 1; i < threads.count(); i++) {
                others.add(new KvCacheDecoder(kv.lane(), padId, padding));
            }
        } catch (OrtException | RuntimeException e) {
            threads.close();
            kv.close();
            throw e;
        }
        return new KvCacheDecoder(kv, padId, padding, threads, List.copyOf(others));
    }

    /** Groups one call decodes at once. */
    public int threads() {
        return 1 + others.size();
    }

    /** Whether a version ships a KV-cache export: {@value #MODEL_FILE}, or an HF export's with-past model.onnx. */
    public static boolean available(ModelFolder folder) {
        return folder.manifest().file(MODEL_FILE).isPresent() || ExportConfig.present(folder);
    }

    /** Opens {@value #MODEL_FILE} of a verified folder; prompts are left-padded. */
    public static KvCacheDecoder load(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        return load(folder, options, padId, Padding.LEFT);
    }

    public static KvCacheDecoder load(ModelFolder folder, RuntimeOptions options, int padId, Padding padding)
            throws OrtException {
        return laned(KvSession.open(folder, options), padId, padding, options.scoringThreads());
    }

    /** Decodes through the folder's {@value #MODEL_FILE} itself, every prompt position's logits computed. */
    public static KvCacheDecoder loadKvExport(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        return laned(KvSession.openExport(folder, options), padId, Padding.LEFT, options.scoringThreads());
    }

    @Override
    public int maxPositions() {
        return kv.maxPositions();
    }

    public int vocabSize() {
        return kv.vocab();
    }

    @Override
    public synchronized List<List<Decoded>> decode(List<DecodeGroup> groups, StopTokens stops, int maxNewTokens)
            throws OrtException {
        int parts = Math.min(threads(), groups.size());
        if (parts <= 1) {
            return decodeHere(groups, stops, maxNewTokens);
        }
        // Contiguous parts of about as many rows each, one per lane.
        int total = groups.stream().mapToInt(g -> g.rows().size()).sum();
        int[] bounds = new int[parts + 1];
        int rows = 0;
        int part = 1;
        for (int g = 0; g < groups.size() && part < parts; g++) {
            rows += groups.get(g).rows().size();
            if ((long) rows * parts >= (long) total * part && groups.size() - (g + 1) >= parts - part) {
                bounds[part++] = g + 1;
            }
        }
        for (; part <= parts; part++) {
            bounds[part] = groups.size() - (parts - part);
        }
        List<List<Decoded>> results = new ArrayList<>(groups.size());
        for (List<List<Decoded>> lane : threads.all(parts, l -> (l == 0 ? this : others.get(l - 1))
                .decodeHere(groups.subList(bounds[l], bounds[l + 1]), stops, maxNewTokens))) {
            results.addAll(lane);
        }
        return results;
    }

    /** The call on this decoder's own session buffers. */
    private List<List<Decoded>> decodeHere(List<DecodeGroup> groups, StopTokens stops, int maxNewTokens)
            throws OrtException {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (groups.isEmpty()) {
            return List.of();
        }
        int groupCount = groups.size();
        int longest = 0;
        List<DecodingRow> rows = new ArrayList<>();
        List<List<DecodingRow>> byGroup = new ArrayList<>(groupCount);
        for (int g = 0; g < groupCount; g++) {
            int[] prompt = groups.get(g).prompt();
            if (prompt.length > kv.maxPositions()) {
                throw new SequenceTooLongException(prompt.length, kv.maxPositions());
            }
            longest = Math.max(longest, prompt.length);
            List<DecodingRow> own = new ArrayList<>();
            for (TokenChooser chooser : groups.get(g).rows()) {
                own.add(new DecodingRow(g, prompt, chooser));
            }
            byGroup.add(own);
            rows.addAll(own);
        }
        if (groupCount > 1 && overBudget(groupCount, rows.size(), longest, maxNewTokens)) {
            // Groups decode independently: halves give the same tokens in less memory.
            List<List<Decoded>> results = new ArrayList<>(decodeHere(groups.subList(0, groupCount / 2), stops,
                    maxNewTokens));
            results.addAll(decodeHere(groups.subList(groupCount / 2, groupCount), stops, maxNewTokens));
            return results;
        }
        // Worst case (every row its own branch until the last step): must be addressable by an int.
        Math.toIntExact(Math.multiplyExact(Math.multiplyExact((long) rows.size(), (long) kv.slab(1)),
                longest + (long) maxNewTokens));

        // 1. The prompts, once each.
        long[][] promptMask = new long[groupCount][longest];
        int[] lastColumn = new int[groupCount];
        LongBuffer ids = KvSession.directLongs(groupCount * longest);
        LongBuffer positions = KvSession.directLongs(groupCount * longest);
        LongBuffer mask = KvSession.directLongs(groupCount * longest);
        for (int g = 0; g < groupCount; g++) {
            DecodeGroup group = groups.get(g);
            int length = group.promptLength();
            int offset = padding == Padding.LEFT ? longest - length : 0;
            lastColumn[g] = offset + length - 1;
            for (int c = 0; c < longest; c++) {
                boolean real = c >= offset && c < offset + length;
                ids.put(real ? group.promptToken(c - offset) : padId);
                positions.put(real ? c - offset : 0);
                mask.put(real ? 1 : 0);
                promptMask[g][c] = real ? 1 : 0;
            }
        }
        long[] last = new long[groupCount]; // only each prompt's last position is read
        for (int g = 0; g < groupCount; g++) {
            last[g] = (long) g * longest + lastColumn[g];
        }
        FloatBuffer logits = kv.runRows(ids.rewind(), positions.rewind(), mask.rewind(), groupCount, longest, 0, -1, last);

        // 2. One token per sequence per step. Rows of a group that chose the same tokens so far
        // share one batch entry (their logits are the same): the prompt's cache is copied once per
        // distinct first token rather than once per row, and at T = 0.5 most samples repeat.
        float[] row = new float[kv.vocab()];
        List<Branch> batch = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            logits.get(g * row.length, row, 0, row.length);
            branch(byGroup.get(g), g, row, stops, maxNewTokens, batch);
        }
        int side = 0; // cache[side] holds the newest present
        int columns = longest;
        boolean reordered = true; // the prompts' batch is not the branches' batch
        while (!batch.isEmpty()) {
            if (reordered) {
                kv.gather(side, batch.stream().mapToInt(Branch::source).toArray(), columns);
                side = 1 - side;
            }
            int size = batch.size();
            ids = KvSession.directLongs(size);
            positions = KvSession.directLongs(size);
            mask = KvSession.directLongs(size * (columns + 1));
            for (Branch branch : batch) {
                DecodingRow first = branch.rows().get(0);
                ids.put(first.lastToken());
                positions.put(first.fedLength());
                mask.put(promptMask[first.group]);
                for (int c = longest; c <= columns; c++) {
                    mask.put(1);
                }
            }
            logits = kv.runRows(ids.rewind(), positions.rewind(), mask.rewind(), size, 1, columns, side,
                    LongStream.range(0, size).toArray());
            side = 1 - side;
            columns++;
            List<Branch> next = new ArrayList<>(size);
            for (int b = 0; b < size; b++) {
                logits.get(b * row.length, row, 0, row.length);
                List<DecodingRow> members = batch.get(b).rows();
                members.forEach(DecodingRow::fed);
                branch(members, b, row, stops, maxNewTokens, next);
            }
            reordered = next.size() != size;
            for (int b = 0; !reordered && b < size; b++) {
                reordered = next.get(b).source() != b;
            }
            batch = next;
        }
        List<List<Decoded>> results = new ArrayList<>(groupCount);
        for (List<DecodingRow> group : byGroup) {
            results.add(group.stream().map(DecodingRow::result).toList());
        }
        return results;
    }

    /** For tests: see {@link KvSession#budgetBytes(long)}. */
    void budgetBytes(long bytes) {
        kv.budgetBytes(bytes);
    }

    /**
     * Whether a call would pass {@link KvSession#EXPORT_BUDGET_BYTES} on an export that computes
     * every position's logits: the prompts' logits and both cache sides at the last step, every row
     * its own branch. Our own exports (selected rows) are never split.
     */
    private boolean overBudget(int groups, int rows, int longest, int maxNewTokens) {
        if (kv.selected()) {
            return false;
        }
        long logits = kv.bytesPerLogit() * kv.vocab() * ((long) groups * longest + rows);
        long caches = 2L * rows * (longest + maxNewTokens) * kv.cacheBytesPerColumn();
        return logits + caches > kv.budgetBytes();
    }

    /** Rows that share a batch entry: same group, same tokens so far; {@code source} is their cache row. */
    private record Branch(int source, List<DecodingRow> rows) {
    }

    /**
     * Lets every row of one batch entry choose from its logits and appends the rows that go on to
     * {@code into}, one entry per distinct token chosen (first-chosen first, so the order is stable).
     */
    private void branch(List<DecodingRow> members, int source, float[] logits, StopTokens stops, int maxNewTokens,
                        List<Branch> into) {
        Map<Integer, List<DecodingRow>> byToken = new LinkedHashMap<>();
        for (DecodingRow r : members) {
            if (r.step(logits, stops, maxNewTokens, kv.maxPositions())) {
                byToken.computeIfAbsent(r.lastToken(), t -> new ArrayList<>()).add(r);
            }
        }
        for (List<DecodingRow> same : byToken.values()) {
            into.add(new Branch(source, same));
        }
    }

    @Override
    public synchronized void close() throws OrtException {
        if (threads != null) {
            threads.close();
        }
        for (KvCacheDecoder lane : others) {
            lane.close(); // its buffers only: the session is this decoder's
        }
        kv.close();
    }
}
