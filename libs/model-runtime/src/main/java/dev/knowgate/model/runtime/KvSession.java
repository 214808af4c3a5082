package dev.knowgate.model.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One opened KV-cache export in the optimum layout (inputs input_ids, position_ids, attention_mask
 * [batch, past + sequence], past_key_values.{i}.key/.value; outputs logits and present.{i}.key/.value),
 * with the native buffers its passes read from and write into.
 *
 * <p>The cache lives in two native buffers per layer tensor that ONNX Runtime reads from and writes
 * into in turn (pinned outputs), so no pass copies it through Java. Not thread-safe: its owner
 * serialises calls.
 */
final class KvSession implements AutoCloseable {

    static final String MODEL_FILE = "model-kv.onnx";

    private static final String INPUT_IDS = "input_ids";
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String POSITION_IDS = "position_ids";
    private static final String LOGITS = "logits";
    private static final String SELECTED_ROWS = "selected_rows";
    private static final String SELECTED_LOGITS = "selected_logits";
    private static final String TOP_K = "top_k";
    private static final String TOP_VALUES = "selected_top_values";
    private static final String TOP_INDICES = "selected_top_indices";
    private static final String LOG_SUM_EXP = "selected_logsumexp";
    private static final Pattern PAST = Pattern.compile("past_key_values\\.(\\d+)\\.(key|value)");

    /**
     * Direct memory one call may ask for when the export computes every position's logits (an HF
     * export): callers split their batches below it. At a real model's depth and vocabulary the
     * caches and logits of a batch sized for the project's small model take gigabytes (SmolLM2-135M's
     * shape, 32 prompts of 70 tokens: 440 MB of logits for one prefix pass alone).
     */
    static final long EXPORT_BUDGET_BYTES = 128L << 20;
    private long budgetBytes = EXPORT_BUDGET_BYTES;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtProvider provider;
    private final ExportConfig config;
    /** False when the session is a whole-sequence model's (an HF export's one model.onnx) or another lane's. */
    private final boolean ownsSession;
    private final int vocab;
    private final int heads;
    private final int headDim;
    private final int maxPositions;
    /** Whether the head runs on selected rows only (input selected_rows, output selected_logits). */
    private final boolean selected;
    /** Per cache tensor (layer i: 2i key, 2i + 1 value), its input and output names. */
    private final String[] pastNames;
    private final String[] presentNames;
    /** The cache's element type (float16 in an optimum {@code --dtype fp16} export), and the logits'. */
    private final FloatWidth cacheWidth;
    private final FloatWidth logitsWidth;
    /** Two native buffers per cache tensor, in the export's width: one read as past, the other written as present. */
    private final ByteBuffer[][] cache;
    private FloatBuffer logitsBuffer;
    /** Where a float16 export writes its logits before they are widened into {@link #logitsBuffer}. */
    private ByteBuffer narrowLogits;

    KvSession(OrtEnvironment env, OrtSession session, OrtProvider provider, ExportConfig config) throws OrtException {
        this(env, session, provider, config, true);
    }

    private KvSession(OrtEnvironment env, OrtSession session, OrtProvider provider, ExportConfig config,
                      boolean ownsSession) throws OrtException {
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.config = config;
        this.ownsSession = ownsSession;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        TreeSet<Integer> layerSet = new TreeSet<>();
        long[] pastShape = null;
        FloatWidth pastWidth = null;
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
                FloatWidth width = FloatWidth.of(name, input.getValue());
                if (pastWidth != null && pastWidth != width) {
                    throw new IllegalArgumentException("cache inputs disagree on their element type: " + name);
                }
                pastShape = shape;
                pastWidth = width;
            } else if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(POSITION_IDS)
                    && !((name.equals(SELECTED_ROWS) || name.equals(TOP_K)) && outputs.containsKey(SELECTED_LOGITS))) {
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
                if (FloatWidth.of(presentNames[2 * i + kv], outputs.get(presentNames[2 * i + kv])) != pastWidth) {
                    throw new IllegalArgumentException(presentNames[2 * i + kv] + " and " + pastNames[2 * i + kv]
                            + " differ in element type: the present is fed back as the past");
                }
            }
        }
        if (config != null) {
            config.checkCache(pastShape[1], pastShape[3]);
        }
        this.heads = Math.toIntExact(pastShape[1]);
        this.headDim = Math.toIntExact(pastShape[3]);
        this.selected = inputs.containsKey(SELECTED_ROWS);
        if (selected) {
            for (String name : List.of(TOP_K, SELECTED_LOGITS, TOP_VALUES, TOP_INDICES, LOG_SUM_EXP)) {
                if (!inputs.containsKey(name) && !outputs.containsKey(name)) {
                    throw new IllegalArgumentException("a selected-rows export needs '" + name + "'");
                }
            }
        }
        String logitsName = selected ? SELECTED_LOGITS : LOGITS;
        NodeInfo logits = outputs.get(logitsName);
        if (logits == null) {
            throw new IllegalArgumentException("not a causal LM export: no output 'logits'");
        }
        long[] shape = ((TensorInfo) logits.getInfo()).getShape();
        int rank = selected ? 2 : 3;
        if (shape.length != rank || shape[rank - 1] <= 0) {
            throw new IllegalArgumentException("output '" + logitsName + "' must be [" + (selected ? "rows" : "batch, sequence")
                    + ", vocab] with a fixed vocab, got " + Arrays.toString(shape));
        }
        this.vocab = (int) shape[rank - 1];
        this.logitsWidth = FloatWidth.of(logitsName, logits);
        if (selected && (logitsWidth != FloatWidth.FLOAT32 || pastWidth != FloatWidth.FLOAT32)) {
            throw new IllegalArgumentException("a selected-rows export computes in float32");
        }
        this.cacheWidth = pastWidth;
        this.maxPositions = OnnxCausalLm.maxPositions(session, config);
        this.cache = new ByteBuffer[2][2 * layers];
    }

    /**
     * The session a verified folder scores and decodes with: for the project's own models (its
     * {@value OnnxCausalLm#MODEL_FILE} written by {@link GptOnnxWriter}) the selected-rows variant built
     * from those weights, whose head runs only where logits are read; for any other model (an
     * optimum export) its {@value #MODEL_FILE}, every position's logits computed.
     */
    static KvSession open(ModelFolder folder, RuntimeOptions options) throws OrtException {
        if (!GptConfig.ARCHITECTURE.equals(folder.manifest().architecture())) {
            return openExport(folder, options); // not read: an optimum export's model.onnx may be gigabytes
        }
        GptWeights weights;
        try {
            weights = GptOnnxReader.readWeights(folder.file(OnnxCausalLm.MODEL_FILE));
        } catch (IOException notOurs) {
            return openExport(folder, options);
        }
        byte[] model = GptOnnxWriter.toBytes(weights, GptOnnxWriter.Variant.KV_SCORING, Map.of());
        return SessionLoader.openBytes(model, folder.dir() + " (kv-scoring)", options,
                (env, session, provider) -> new KvSession(env, session, provider, null));
    }

    /**
     * The folder's own {@value #MODEL_FILE}, whatever wrote it; for an HF export (config.json, no
     * {@value #MODEL_FILE}) its {@value OnnxCausalLm#MODEL_FILE}, which takes the cache.
     */
    static KvSession openExport(ModelFolder folder, RuntimeOptions options) throws OrtException {
        ExportConfig config = ExportConfig.of(folder);
        String file = folder.manifest().file(MODEL_FILE).isPresent() || config == null
                ? MODEL_FILE : OnnxCausalLm.MODEL_FILE;
        return SessionLoader.open(folder, file, options,
                (env, session, provider) -> new KvSession(env, session, provider, config));
    }

    /**
     * For an HF export (config.json, no {@value #MODEL_FILE}), a session on {@code model}'s own: both
     * run the same model.onnx, and a second session would hold a second copy of the weights (1.1 GB
     * at SmolLM2-135M's shape). Null for any other folder. {@code model} must outlive it.
     */
    static KvSession sharing(ModelFolder folder, OnnxCausalLm model) throws OrtException {
        ExportConfig config = ExportConfig.of(folder);
        if (config == null || folder.manifest().file(MODEL_FILE).isPresent()) {
            return null;
        }
        return new KvSession(model.environment(), model.session(), model.provider(), config, false);
    }

    /**
     * A second lane on the same session: its own cache and logits buffers, so that two passes can run
     * at once (ONNX Runtime's {@code Run} may be called from several threads on one session), without
     * a second copy of the weights. The lane does not close the session.
     */
    KvSession lane() throws OrtException {
        KvSession lane = new KvSession(env, session, provider, config, false);
        lane.budgetBytes = budgetBytes;
        return lane;
    }

    /** The execution provider the session runs on. */
    OrtProvider provider() {
        return provider;
    }

    /**
     * A pass whose logits are wanted at given positions only: {@code rows} indexes the flattened
     * [batch, sequence] positions. Returns those rows' logits [rowCount, vocab] in order, through the
     * selected-rows head where the export has one, else copied out of the whole output.
     */
    FloatBuffer runRows(LongBuffer ids, LongBuffer positions, LongBuffer mask, int batch, int sequence, int past,
                        int pastSide, long[] rows) throws OrtException {
        if (selected) {
            LongBuffer wanted = directLongs(rows.length).put(rows).rewind();
            return runSelected(ids, positions, mask, batch, sequence, past, pastSide, wanted, rows.length, 1).logits();
        }
        if (rows.length == batch * sequence && sequence == 1) {
            return run(ids, positions, mask, batch, sequence, past, pastSide); // every row, in order
        }
        FloatBuffer picked = directFloats(Math.multiplyExact(rows.length, vocab));
        if (logitsWidth == FloatWidth.FLOAT32) {
            FloatBuffer all = run(ids, positions, mask, batch, sequence, past, pastSide);
            for (int i = 0; i < rows.length; i++) {
                picked.put(i * vocab, all, Math.toIntExact(rows[i] * vocab), vocab);
            }
            return picked;
        }
        // Float16: widen only the rows read.
        pass(ids, positions, mask, batch, sequence, past, pastSide, null, batch * sequence, 0, false);
        ByteBuffer narrow = narrowLogits(Math.multiplyExact(batch * sequence, vocab));
        for (int i = 0; i < rows.length; i++) {
            logitsWidth.widen(narrow, Math.toIntExact(rows[i] * vocab), picked, i * vocab, vocab);
        }
        return picked;
    }

    int vocab() {
        return vocab;
    }

    int maxPositions() {
        return maxPositions;
    }

    /** Elements of one batch row of one cache tensor {@code columns} wide. */
    int slab(int columns) {
        return heads * columns * headDim;
    }

    /** Bytes the cache of one batch row takes per column, over all layers' keys and values. */
    long cacheBytesPerColumn() {
        return (long) cacheWidth.bytes * pastNames.length * slab(1);
    }

    /** Bytes one logit takes while a pass's logits are held ({@link FloatWidth#bytesPerHeldLogit}). */
    long bytesPerLogit() {
        return logitsWidth.bytesPerHeldLogit();
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** For tests: a small budget makes small models split their batches too. */
    void budgetBytes(long bytes) {
        this.budgetBytes = bytes;
    }

    /** Whether the head runs on selected rows only ({@link #runSelected}) rather than on every position. */
    boolean selected() {
        return selected;
    }

    /**
     * One pass over {@code batch} rows of {@code sequence} new tokens each after {@code past} cached
     * columns read from side {@code pastSide} (no past when it is -1); the present
     * ({@code past + sequence} columns) is written into the other side. Returns the logits
     * [batch, sequence, vocab], valid until the next pass.
     */
    FloatBuffer run(LongBuffer ids, LongBuffer positions, LongBuffer mask, int batch, int sequence, int past,
                    int pastSide) throws OrtException {
        if (selected) {
            throw new IllegalStateException("this export computes selected rows only: use runSelected");
        }
        return pass(ids, positions, mask, batch, sequence, past, pastSide, null, batch * sequence, 0, true).logits();
    }

    /**
     * As {@link #run}, for a pass whose logits are not read (a shared prefix: only its cache is
     * wanted), so float16 ones are not widened.
     */
    void runForCache(LongBuffer ids, LongBuffer positions, LongBuffer mask, int batch, int sequence, int past,
                     int pastSide) throws OrtException {
        if (selected) {
            throw new IllegalStateException("this export computes selected rows only: use runSelected");
        }
        pass(ids, positions, mask, batch, sequence, past, pastSide, null, batch * sequence, 0, false);
    }

    /**
     * The selected rows of a pass: their logits [rows, vocab] (valid until the next pass), their
     * top-k values and indices [rows, k] (largest first, equal values in index order) and the log of
     * each row's softmax normaliser [rows].
     */
    record Selected(FloatBuffer logits, FloatBuffer topValues, LongBuffer topIndices, FloatBuffer logSumExp) {
    }

    /**
     * As {@link #run}, with the head on {@code rowCount} rows only: {@code rows} indexes the flattened
     * [batch, sequence] positions; {@code topK} (at most the vocabulary) sizes the top-k outputs.
     */
    Selected runSelected(LongBuffer ids, LongBuffer positions, LongBuffer mask, int batch, int sequence, int past,
                         int pastSide, LongBuffer rows, int rowCount, int topK) throws OrtException {
        if (!selected) {
            throw new IllegalStateException("this export computes every position's logits: use run");
        }
        if (topK < 1 || topK > vocab) {
            throw new IllegalArgumentException("topK must be in [1, " + vocab + "], got " + topK);
        }
        return pass(ids, positions, mask, batch, sequence, past, pastSide, rows, rowCount, topK, true);
    }

    /**
     * One pass; {@code widen}: float16 logits are widened into the float32 buffer returned (else the
     * returned logits are null for a float16 export, and {@link #narrowLogits} holds them).
     */
    private Selected pass(LongBuffer ids, LongBuffer positions, LongBuffer mask, int batch, int sequence, int past,
                          int pastSide, LongBuffer rows, int rowCount, int topK, boolean widen) throws OrtException {
        int presentSide = pastSide < 0 ? 0 : 1 - pastSide;
        int presentColumns = past + sequence;
        int elements = Math.multiplyExact(rowCount, vocab);
        ByteBuffer narrow = logitsWidth == FloatWidth.FLOAT32 ? null : narrowLogits(elements);
        // Float16 logits that are not widened here need no float32 buffer at all.
        FloatBuffer logits = narrow == null || widen ? logitsBuffer(elements) : null;
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] tokens = {batch, sequence};
            inputs.put(INPUT_IDS, own(owned, OnnxTensor.createTensor(env, ids, tokens)));
            inputs.put(POSITION_IDS, own(owned, OnnxTensor.createTensor(env, positions, tokens)));
            inputs.put(ATTENTION_MASK, own(owned, OnnxTensor.createTensor(env, mask, new long[]{batch, presentColumns})));
            Map<String, OnnxValue> outputs = new HashMap<>();
            if (selected) {
                inputs.put(SELECTED_ROWS, own(owned, OnnxTensor.createTensor(env, rows, new long[]{rowCount})));
                inputs.put(TOP_K, own(owned, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[]{topK}), new long[]{1})));
                outputs.put(SELECTED_LOGITS, own(owned, OnnxTensor.createTensor(env, logits, new long[]{rowCount, vocab})));
            } else {
                long[] logitsShape = {batch, sequence, vocab};
                outputs.put(LOGITS, own(owned, narrow == null
                        ? OnnxTensor.createTensor(env, logits, logitsShape)
                        : logitsWidth.tensor(env, narrow, logitsShape)));
            }
            long[] pastShape = {batch, heads, past, headDim};
            long[] presentShape = {batch, heads, presentColumns, headDim};
            int pastElements = batch * slab(past);
            int presentElements = batch * slab(presentColumns);
            ensureSide(presentSide, presentElements);
            for (int t = 0; t < pastNames.length; t++) {
                ByteBuffer pastData = pastSide < 0 ? cacheWidth.allocate(0) : cacheWidth.slice(cache[pastSide][t], pastElements);
                inputs.put(pastNames[t], own(owned, cacheWidth.tensor(env, pastData, pastShape)));
                outputs.put(presentNames[t], own(owned, cacheWidth.tensor(env,
                        cacheWidth.slice(cache[presentSide][t], presentElements), presentShape)));
            }
            Set<String> computed = selected ? Set.of(TOP_VALUES, TOP_INDICES, LOG_SUM_EXP) : Set.of();
            try (OrtSession.Result result = session.run(inputs, computed, outputs)) {
                if (!selected) {
                    if (narrow != null && widen) {
                        logitsWidth.widen(narrow, 0, logits, 0, elements);
                    }
                    return new Selected(logits, null, null, null);
                }
                return new Selected(logits, ((OnnxTensor) result.get(TOP_VALUES).orElseThrow()).getFloatBuffer(),
                        ((OnnxTensor) result.get(TOP_INDICES).orElseThrow()).getLongBuffer(),
                        ((OnnxTensor) result.get(LOG_SUM_EXP).orElseThrow()).getFloatBuffer());
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /**
     * Copies batch rows {@code sourceRows} of the cache at {@code side} ({@code columns} wide) to
     * rows 0, 1, ... of the other side; a source row may be repeated.
     */
    void gather(int side, int[] sourceRows, int columns) {
        int slab = slab(columns);
        ensureSide(1 - side, sourceRows.length * slab);
        int bytes = slab * cacheWidth.bytes;
        for (int t = 0; t < pastNames.length; t++) {
            ByteBuffer from = cache[side][t];
            ByteBuffer to = cache[1 - side][t];
            for (int b = 0; b < sourceRows.length; b++) {
                to.put(b * bytes, from, sourceRows[b] * bytes, bytes);
            }
        }
    }

    /**
     * Grows one side's buffers to hold {@code elements} per tensor before that side is written (what
     * it held is dead by then). Kept between calls, so they are sized by the largest pass so far.
     */
    private void ensureSide(int side, int elements) {
        for (int t = 0; t < pastNames.length; t++) {
            if (cache[side][t] == null || cache[side][t].capacity() < (long) elements * cacheWidth.bytes) {
                long limit = (Integer.MAX_VALUE - 8) / cacheWidth.bytes;
                int grown = (int) Math.min(limit, Math.max(elements, elements + (long) elements / 2));
                cache[side][t] = null; // let the old buffer go before allocating the new one
                cache[side][t] = cacheWidth.allocate(grown);
            }
        }
    }

    /** The buffer a float16 export writes {@code elements} logits into, grown as needed. */
    private ByteBuffer narrowLogits(int elements) {
        if (narrowLogits == null || narrowLogits.capacity() < (long) elements * logitsWidth.bytes) {
            narrowLogits = null;
            narrowLogits = logitsWidth.allocate(elements);
        }
        return logitsWidth.slice(narrowLogits, elements);
    }

    private FloatBuffer logitsBuffer(int floats) {
        if (logitsBuffer == null || logitsBuffer.capacity() < floats) {
            logitsBuffer = null;
            logitsBuffer = directFloats(floats);
        }
        return logitsBuffer.slice(0, floats);
    }

    static FloatBuffer directFloats(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    static LongBuffer directLongs(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Long.BYTES)).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    @Override
    public void close() throws OrtException {
        if (ownsSession) {
            session.close();
        }
        Arrays.fill(cache[0], null);
        Arrays.fill(cache[1], null);
        logitsBuffer = null;
        narrowLogits = null;
    }
}
