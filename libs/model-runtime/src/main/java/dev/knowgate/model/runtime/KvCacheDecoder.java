package dev.knowgate.model.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.knowgate.model.registry.ModelFolder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * call at a time per decoder.
 */
public final class KvCacheDecoder implements TokenDecoder {

    public static final String MODEL_FILE = "model-kv.onnx";

    /** Where a prompt shorter than the longest of its batch gets its padding. */
    public enum Padding { LEFT, RIGHT }

    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String POSITION_IDS = "position_ids";
    private static final String LOGITS = "logits";
    private static final Pattern PAST = Pattern.compile("past_key_values\\.(\\d+)\\.(key|value)");

    private final OrtEnvironment env;
    private final OrtSession session;
    private final int padId;
    private final Padding padding;
    private final int vocab;
    private final int heads;
    private final int headDim;
    private final int maxPositions;
    /** Per cache tensor (layer i: 2i key, 2i + 1 value), its input and output names. */
    private final String[] pastNames;
    private final String[] presentNames;
    /** Two native buffers per cache tensor: one read as past, the other written as present. */
    private final FloatBuffer[][] cache;
    private FloatBuffer logitsBuffer;

    private KvCacheDecoder(OrtEnvironment env, OrtSession session, int padId, Padding padding) throws OrtException {
        this.env = env;
        this.session = session;
        this.padId = padId;
        this.padding = padding;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        TreeSet<Integer> layerSet = new TreeSet<>();
        long[] pastShape = null;
        for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
            String name = input.getKey();
            Matcher m = PAST.matcher(name);
            if (m.matches()) {
                layerSet.add(Integer.parseInt(m.group(1)));
                long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
                if (shape.length != 4 || shape[1] <= 0 || shape[3] <= 0) {
                    throw new IllegalArgumentException(name + ": expected [batch, heads, past, head_dim] with fixed heads and"
                            + " head_dim, got " + Arrays.toString(shape));
                }
                if (pastShape != null && (pastShape[1] != shape[1] || pastShape[3] != shape[3])) {
                    throw new IllegalArgumentException("cache inputs disagree on heads or head_dim: " + name);
                }
                pastShape = shape;
            } else if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(POSITION_IDS)) {
                throw new IllegalArgumentException("unsupported input '" + name + "' of a KV-cache export");
            }
        }
        for (String required : List.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS)) {
            if (!inputs.containsKey(required)) {
                throw new IllegalArgumentException("not a KV-cache export: no input '" + required + "' (inputs: "
                        + inputs.keySet() + ")");
            }
        }
        int layers = layerSet.size();
        if (layers == 0 || layerSet.last() != layers - 1) {
            throw new IllegalArgumentException("not a KV-cache export: past_key_values.{0.." + (layers - 1)
                    + "} expected, got layers " + layerSet);
        }
        this.pastNames = new String[2 * layers];
        this.presentNames = new String[2 * layers];
        for (int i = 0; i < layers; i++) {
            for (int kv = 0; kv < 2; kv++) {
                String suffix = i + (kv == 0 ? ".key" : ".value");
                pastNames[2 * i + kv] = "past_key_values." + suffix;
                presentNames[2 * i + kv] = "present." + suffix;
                if (!inputs.containsKey(pastNames[2 * i + kv]) || !outputs.containsKey(presentNames[2 * i + kv])) {
                    throw new IllegalArgumentException("not a KV-cache export: needs input " + pastNames[2 * i + kv]
                            + " and output " + presentNames[2 * i + kv]);
                }
            }
        }
        this.heads = Math.toIntExact(pastShape[1]);
        this.headDim = Math.toIntExact(pastShape[3]);
        NodeInfo logits = outputs.get(LOGITS);
        if (logits == null) {
            throw new IllegalArgumentException("not a causal LM export: no output 'logits'");
        }
        long[] shape = ((TensorInfo) logits.getInfo()).getShape();
        if (shape.length != 3 || shape[2] <= 0) {
            throw new IllegalArgumentException("output 'logits' must be [batch, sequence, vocab] with a fixed vocab, got "
                    + Arrays.toString(shape));
        }
        this.vocab = (int) shape[2];
        this.maxPositions = OnnxCausalLm.maxPositions(session);
        this.cache = new FloatBuffer[2][2 * layers];
    }

    /** Whether a version ships the KV-cache export. */
    public static boolean available(ModelFolder folder) {
        return folder.manifest().file(MODEL_FILE).isPresent();
    }

    /** Opens {@value #MODEL_FILE} of a verified folder; prompts are left-padded. */
    public static KvCacheDecoder load(ModelFolder folder, RuntimeOptions options, int padId) throws OrtException {
        return load(folder, options, padId, Padding.LEFT);
    }

    public static KvCacheDecoder load(ModelFolder folder, RuntimeOptions options, int padId, Padding padding)
            throws OrtException {
        return SessionLoader.open(folder, MODEL_FILE, options,
                (env, session, provider) -> new KvCacheDecoder(env, session, padId, padding));
    }

    @Override
    public int maxPositions() {
        return maxPositions;
    }

    public int vocabSize() {
        return vocab;
    }

    @Override
    public synchronized List<List<Decoded>> decode(List<DecodeGroup> groups, int stopToken, int maxNewTokens)
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
            if (prompt.length > maxPositions) {
                throw new SequenceTooLongException(prompt.length, maxPositions);
            }
            longest = Math.max(longest, prompt.length);
            List<DecodingRow> own = new ArrayList<>();
            for (TokenChooser chooser : groups.get(g).rows()) {
                own.add(new DecodingRow(g, prompt, chooser));
            }
            byGroup.add(own);
            rows.addAll(own);
        }
        // Worst case (every row its own branch until the last step): must be addressable by an int.
        Math.toIntExact(Math.multiplyExact(Math.multiplyExact((long) rows.size(), (long) heads * headDim),
                longest + (long) maxNewTokens));

        // 1. The prompts, once each.
        long[][] promptMask = new long[groupCount][longest];
        int[] lastColumn = new int[groupCount];
        LongBuffer ids = directLongs(groupCount * longest);
        LongBuffer positions = directLongs(groupCount * longest);
        LongBuffer mask = directLongs(groupCount * longest);
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
        FloatBuffer logits = run(ids.rewind(), positions.rewind(), mask.rewind(), groupCount, longest, 0, -1);

        // 2. One token per sequence per step. Rows of a group that chose the same tokens so far
        // share one batch entry (their logits are the same): the prompt's cache is copied once per
        // distinct first token rather than once per row, and at T = 0.5 most samples repeat.
        float[] row = new float[vocab];
        List<Branch> batch = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            logits.get((g * longest + lastColumn[g]) * vocab, row, 0, vocab);
            branch(byGroup.get(g), g, row, stopToken, maxNewTokens, batch);
        }
        int side = 0; // cache[side] holds the newest present
        int columns = longest;
        boolean reordered = true; // the prompts' batch is not the branches' batch
        while (!batch.isEmpty()) {
            if (reordered) {
                gather(side, batch.stream().mapToInt(Branch::source).toArray(), columns);
                side = 1 - side;
            }
            int size = batch.size();
            ids = directLongs(size);
            positions = directLongs(size);
            mask = directLongs(size * (columns + 1));
            for (Branch branch : batch) {
                DecodingRow first = branch.rows().get(0);
                ids.put(first.lastToken());
                positions.put(first.fedLength());
                mask.put(promptMask[first.group]);
                for (int c = longest; c <= columns; c++) {
                    mask.put(1);
                }
            }
            logits = run(ids.rewind(), positions.rewind(), mask.rewind(), size, 1, columns, side);
            side = 1 - side;
            columns++;
            List<Branch> next = new ArrayList<>(size);
            for (int b = 0; b < size; b++) {
                logits.get(b * vocab, row, 0, vocab);
                List<DecodingRow> members = batch.get(b).rows();
                members.forEach(DecodingRow::fed);
                branch(members, b, row, stopToken, maxNewTokens, next);
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

    /** Rows that share a batch entry: same group, same tokens so far; {@code source} is their cache row. */
    private record Branch(int source, List<DecodingRow> rows) {
    }

    /**
     * Lets every row of one batch entry choose from its logits and appends the rows that go on to
     * {@code into}, one entry per distinct token chosen (first-chosen first, so the order is stable).
     */
    private void branch(List<DecodingRow> members, int source, float[] logits, int stopToken, int maxNewTokens,
                        List<Branch> into) {
        Map<Integer, List<DecodingRow>> byToken = new LinkedHashMap<>();
        for (DecodingRow r : members) {
            if (r.step(logits, stopToken, maxNewTokens, maxPositions)) {
                byToken.computeIfAbsent(r.lastToken(), t -> new ArrayList<>()).add(r);
            }
        }
        for (List<DecodingRow> same : byToken.values()) {
            into.add(new Branch(source, same));
        }
    }

    /**
     * One pass over {@code batch} rows of {@code sequence} new tokens each after {@code past} cached
     * columns read from {@code cache[pastSide]} (no past when {@code pastSide} is -1); the present
     * ({@code past + sequence} columns) is written into the other side. Returns the logits, valid until the
     * next pass.
     */
    private FloatBuffer run(LongBuffer ids, LongBuffer positions, LongBuffer mask, int batch, int sequence, int past,
                            int pastSide) throws OrtException {
        int presentSide = pastSide < 0 ? 0 : 1 - pastSide;
        int presentColumns = past + sequence;
        FloatBuffer logits = logitsBuffer(Math.multiplyExact(batch * sequence, vocab));
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] tokens = {batch, sequence};
            inputs.put(INPUT_IDS, own(owned, OnnxTensor.createTensor(env, ids, tokens)));
            inputs.put(POSITION_IDS, own(owned, OnnxTensor.createTensor(env, positions, tokens)));
            inputs.put(ATTENTION_MASK, own(owned, OnnxTensor.createTensor(env, mask, new long[]{batch, presentColumns})));
            Map<String, OnnxValue> outputs = new HashMap<>();
            outputs.put(LOGITS, own(owned, OnnxTensor.createTensor(env, logits, new long[]{batch, sequence, vocab})));
            long[] pastShape = {batch, heads, past, headDim};
            long[] presentShape = {batch, heads, presentColumns, headDim};
            int pastFloats = batch * heads * past * headDim;
            int presentFloats = batch * heads * presentColumns * headDim;
            ensureSide(presentSide, presentFloats);
            for (int t = 0; t < pastNames.length; t++) {
                FloatBuffer pastData = pastSide < 0 ? emptyFloats() : cache[pastSide][t].slice(0, pastFloats);
                inputs.put(pastNames[t], own(owned, OnnxTensor.createTensor(env, pastData, pastShape)));
                outputs.put(presentNames[t], own(owned, OnnxTensor.createTensor(env,
                        cache[presentSide][t].slice(0, presentFloats), presentShape)));
            }
            try (OrtSession.Result ignored = session.run(inputs, Set.of(), outputs)) {
                return logits;
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /**
     * Copies batch rows {@code sourceRows} of the cache at {@code side} ({@code columns} wide) to
     * rows 0, 1, ... of the other side; a source row may be repeated.
     */
    private void gather(int side, int[] sourceRows, int columns) {
        int slab = heads * columns * headDim;
        ensureSide(1 - side, sourceRows.length * slab);
        for (int t = 0; t < pastNames.length; t++) {
            FloatBuffer from = cache[side][t];
            FloatBuffer to = cache[1 - side][t];
            for (int b = 0; b < sourceRows.length; b++) {
                to.put(b * slab, from, sourceRows[b] * slab, slab);
            }
        }
    }

    /**
     * Grows one side's buffers to hold {@code floats} per tensor before that side is written (what
     * it held is dead by then). Kept between calls; sized by the branches actually decoded, which
     * at T = 0.5 are far fewer than the rows.
     */
    private void ensureSide(int side, int floats) {
        for (int t = 0; t < pastNames.length; t++) {
            if (cache[side][t] == null || cache[side][t].capacity() < floats) {
                int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(floats, floats + (long) floats / 2));
                cache[side][t] = null; // let the old buffer go before allocating the new one
                cache[side][t] = directFloats(grown);
            }
        }
    }

    private FloatBuffer logitsBuffer(int floats) {
        if (logitsBuffer == null || logitsBuffer.capacity() < floats) {
            logitsBuffer = null;
            logitsBuffer = directFloats(floats);
        }
        return logitsBuffer.slice(0, floats);
    }

    private static FloatBuffer emptyFloats() {
        return directFloats(0);
    }

    private static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static LongBuffer directLongs(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Long.BYTES)).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    @Override
    public synchronized void close() throws OrtException {
        session.close();
        Arrays.fill(cache[0], null);
        Arrays.fill(cache[1], null);
        logitsBuffer = null;
    }
}
