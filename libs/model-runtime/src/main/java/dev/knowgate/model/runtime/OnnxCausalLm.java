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
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A decoder-only language model in ONNX Runtime, loaded from a verified {@link ModelFolder}.
 *
 * <p>Accepts the project's own export (inputs {@code input_ids}, {@code attention_mask}; output
 * {@code logits}) and Hugging Face optimum-style causal-LM exports, whose optional
 * {@code position_ids} are computed from the mask and whose {@code past_key_values.*} inputs are
 * fed empty (past length 0). Scoring pads a batch to its longest sequence, runs it once, and
 * reads the logits in place from a buffer ONNX Runtime writes into, so the [batch, seq, vocab]
 * tensor never becomes Java arrays.
 */
public final class OnnxCausalLm implements AutoCloseable {

    public static final String MODEL_FILE = "model.onnx";
    /**
     * The logits one {@link #forward} may hold: every position's are computed, so at a real vocabulary
     * (32,000 ids and more) callers split their batches below it (TargetScorer, RecomputingDecoder).
     */
    static final long LOGITS_BUDGET_BYTES = 256L << 20;
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String LOGITS = "logits";
    private static final Pattern PAST = Pattern.compile("past_key_values\\.\\d+\\.(key|value)");

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtProvider provider;
    private final boolean positionIds;
    private final Map<String, long[]> pastShapes;
    /** The element type of the past inputs (fed empty) and of the logits: float16 in an optimum fp16 export. */
    private final FloatWidth pastWidth;
    private final FloatWidth logitsWidth;
    private final int vocab;
    private final int maxPositions;
    private final ThreadLocal<FloatBuffer> outputs = new ThreadLocal<>();
    /** Per thread, where float16 logits land; {@link Logits} widens the ones read. */
    private final ThreadLocal<ByteBuffer> narrowOutputs = new ThreadLocal<>();

    private OnnxCausalLm(OrtEnvironment env, OrtSession session, OrtProvider provider, ExportConfig config)
            throws OrtException {
        this.env = env;
        this.session = session;
        this.provider = provider;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
            if (!inputs.containsKey(required)) {
                throw new IllegalArgumentException("not a causal LM export: no input '" + required + "' (inputs: "
                        + inputs.keySet() + ")");
            }
        }
        Map<String, long[]> past = new HashMap<>();
        FloatWidth width = FloatWidth.FLOAT32;
        for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
            String name = input.getKey();
            if (PAST.matcher(name).matches()) {
                long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
                if (config != null && shape.length == 4) {
                    config.checkCache(shape[1], shape[3]);
                }
                FloatWidth own = FloatWidth.of(name, input.getValue());
                if (!past.isEmpty() && own != width) {
                    throw new IllegalArgumentException("cache inputs disagree on their element type: " + name);
                }
                width = own;
                past.put(name, shape);
            } else if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(POSITION_IDS)) {
                throw new IllegalArgumentException("unsupported model input '" + name + "'");
            }
        }
        this.positionIds = inputs.containsKey(POSITION_IDS);
        this.pastShapes = Map.copyOf(past);
        this.pastWidth = width;
        NodeInfo logits = session.getOutputInfo().get(LOGITS);
        if (logits == null) {
            throw new IllegalArgumentException("not a causal LM export: no output 'logits' (outputs: "
                    + session.getOutputNames() + ")");
        }
        long[] shape = ((TensorInfo) logits.getInfo()).getShape();
        if (shape.length != 3 || shape[2] <= 0) {
            throw new IllegalArgumentException("output 'logits' must be [batch, sequence, vocab] with a fixed vocab, got "
                    + java.util.Arrays.toString(shape));
        }
        this.vocab = (int) shape[2];
        this.logitsWidth = FloatWidth.of(LOGITS, logits);
        this.maxPositions = maxPositions(session, config);
    }

    /**
     * The longest sequence the model takes: our exports say so in their metadata, HF exports in
     * config.json or as metadata "max_position_embeddings" or "n_positions"; else unknown (no limit checked).
     * Checked in Java before a batch runs: ONNX Runtime's own error for a position past the learned
     * table is a Gather index message that fails the whole batch without saying which sequence.
     */
    static int maxPositions(OrtSession session, ExportConfig exportConfig) throws OrtException {
        Map<String, String> meta = session.getMetadata().getCustomMetadata();
        String config = meta.get(GptOnnxWriter.META_CONFIG);
        if (config != null) {
            return GptConfig.fromJson(config).maxPositions();
        }
        for (String key : List.of("max_position_embeddings", "n_positions")) {
            if (meta.containsKey(key)) {
                try {
                    return Integer.parseInt(meta.get(key).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("model metadata " + key + " is not a number: " + meta.get(key));
                }
            }
        }
        return exportConfig != null ? exportConfig.maxPositions() : Integer.MAX_VALUE;
    }

    /** How many sequences of up to {@code longest} tokens one pass takes: at most {@code cap}, at least 1. */
    int sequencesPerPass(int longest, int cap) {
        return (int) Math.max(1, Math.min(cap,
                LOGITS_BUDGET_BYTES / ((long) logitsWidth.bytes * vocab * Math.max(1, longest))));
    }

    /** Opens {@value #MODEL_FILE} of a verified folder with the given runtime options. */
    public static OnnxCausalLm load(ModelFolder folder, RuntimeOptions options) throws OrtException {
        ExportConfig config = ExportConfig.of(folder);
        return SessionLoader.open(folder, MODEL_FILE, options,
                (env, session, provider) -> new OnnxCausalLm(env, session, provider, config));
    }

    public int vocabSize() {
        return vocab;
    }

    /** The longest sequence (prompt plus answer) one forward pass takes; Integer.MAX_VALUE when the export does not say. */
    public int maxPositions() {
        return maxPositions;
    }

    OrtEnvironment environment() {
        return env;
    }

    /** For a KV-cache session on the same model.onnx ({@link KvSession#sharing}). */
    OrtSession session() {
        return session;
    }

    public OrtProvider provider() {
        return provider;
    }

    /**
     * Whether the export's logits are float16 (optimum's {@code --dtype fp16}): logits that close are
     * rounded together, and a float16 cache moves them by about as much between a cached and a
     * recomputed pass, so near-ties may fall either way.
     */
    public boolean float16Logits() {
        return logitsWidth == FloatWidth.FLOAT16;
    }

    /** True for exports that take position_ids and past_key_values (optimum layout). */
    public boolean optimumLayout() {
        return positionIds || !pastShapes.isEmpty();
    }

    /**
     * Runs the batch once and hands the logits, read in place, to {@code reader}. Sequences are
     * right-padded with {@code padId}; positions past a sequence's length must be ignored by the reader.
     */
    public <T> T forward(List<int[]> sequences, int padId, LogitsReader<T> reader) throws OrtException {
        int batch = sequences.size();
        int seq = longest(sequences);
        LongBuffer ids = directLongs(batch * seq);
        LongBuffer mask = directLongs(batch * seq);
        LongBuffer positions = directLongs(batch * seq);
        for (int[] tokens : sequences) {
            for (int i = 0; i < seq; i++) {
                boolean real = i < tokens.length;
                ids.put(real ? tokens[i] : padId);
                mask.put(real ? 1 : 0);
                positions.put(real ? i : 0);
            }
        }
        ids.rewind();
        mask.rewind();
        positions.rewind();
        long[] shape = {batch, seq};
        int elements = Math.multiplyExact(batch * seq, vocab);
        FloatBuffer logits = logitsWidth == FloatWidth.FLOAT32 ? outputBuffer(elements) : null;
        ByteBuffer narrow = logits == null ? narrowBuffer(elements) : null;
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(INPUT_IDS, own(owned, OnnxTensor.createTensor(env, ids, shape)));
            inputs.put(ATTENTION_MASK, own(owned, OnnxTensor.createTensor(env, mask, shape)));
            if (positionIds) {
                inputs.put(POSITION_IDS, own(owned, OnnxTensor.createTensor(env, positions, shape)));
            }
            for (Map.Entry<String, long[]> past : pastShapes.entrySet()) {
                inputs.put(past.getKey(), own(owned, emptyPast(past.getKey(), past.getValue(), batch)));
            }
            long[] logitsShape = {batch, seq, vocab};
            OnnxTensor out = own(owned, narrow == null ? OnnxTensor.createTensor(env, logits, logitsShape)
                    : logitsWidth.tensor(env, narrow, logitsShape));
            Map<String, OnnxValue> pinned = Map.of(LOGITS, out);
            try (OrtSession.Result ignored = session.run(inputs, java.util.Set.of(), pinned)) {
                return reader.read(new Logits(logits, narrow == null ? null : narrow.asShortBuffer(), batch, seq, vocab));
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /**
     * The straightforward way, kept for measurement: ONNX Runtime returns the logits, which are
     * copied into a float[batch][seq][vocab] before anything is read.
     */
    public float[][][] forwardCopying(List<int[]> sequences, int padId) throws OrtException {
        int batch = sequences.size();
        int seq = longest(sequences);
        long[][] ids = new long[batch][seq];
        long[][] mask = new long[batch][seq];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                boolean real = i < sequences.get(b).length;
                ids[b][i] = real ? sequences.get(b)[i] : padId;
                mask[b][i] = real ? 1 : 0;
            }
        }
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(INPUT_IDS, own(owned, OnnxTensor.createTensor(env, ids)));
            inputs.put(ATTENTION_MASK, own(owned, OnnxTensor.createTensor(env, mask)));
            if (positionIds) {
                long[][] positions = new long[batch][seq];
                for (int b = 0; b < batch; b++) {
                    for (int i = 0; i < sequences.get(b).length; i++) {
                        positions[b][i] = i;
                    }
                }
                inputs.put(POSITION_IDS, own(owned, OnnxTensor.createTensor(env, positions)));
            }
            for (Map.Entry<String, long[]> past : pastShapes.entrySet()) {
                inputs.put(past.getKey(), own(owned, emptyPast(past.getKey(), past.getValue(), batch)));
            }
            try (OrtSession.Result result = session.run(inputs, java.util.Set.of(LOGITS))) {
                return (float[][][]) result.get(LOGITS).orElseThrow().getValue();
            }
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /** Reads what it needs from the logits of one forward pass, while they are valid. */
    @FunctionalInterface
    public interface LogitsReader<T> {
        T read(Logits logits);
    }

    /**
     * A view of [batch, seq, vocab] logits in native memory, float32 or float16 (widened as they are
     * read, so a reader of a few rows pays for those only); valid only inside {@link LogitsReader#read}.
     */
    public static final class Logits {
        private final FloatBuffer data;
        private final ShortBuffer halves;
        private final int batch;
        private final int seq;
        private final int vocab;

        /** Exactly one of {@code data} (float32) and {@code halves} (float16) is given. */
        Logits(FloatBuffer data, ShortBuffer halves, int batch, int seq, int vocab) {
            this.data = data;
            this.halves = halves;
            this.batch = batch;
            this.seq = seq;
            this.vocab = vocab;
        }

        public int batch() {
            return batch;
        }

        public int sequence() {
            return seq;
        }

        public int vocab() {
            return vocab;
        }

        public float get(int b, int position, int token) {
            int at = offset(b, position) + token;
            return data != null ? data.get(at) : FloatWidth.halfToFloat(halves.get(at));
        }

        /** Copies one position's row into {@code into} (length vocab) and returns it. */
        public float[] row(int b, int position, float[] into) {
            int at = offset(b, position);
            if (data != null) {
                data.get(at, into, 0, vocab);
            } else {
                for (int i = 0; i < vocab; i++) {
                    into[i] = FloatWidth.halfToFloat(halves.get(at + i));
                }
            }
            return into;
        }

        private int offset(int b, int position) {
            if (b < 0 || b >= batch || position < 0 || position >= seq) {
                throw new IndexOutOfBoundsException("(" + b + ", " + position + ") outside [" + batch + ", " + seq + "]");
            }
            return (b * seq + position) * vocab;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    private OnnxTensor emptyPast(String name, long[] declared, int batch) throws OrtException {
        if (declared.length != 4) {
            throw new IllegalArgumentException(name + ": expected [batch, heads, past, head_dim], got "
                    + java.util.Arrays.toString(declared));
        }
        long heads = declared[1];
        long headDim = declared[3];
        if (heads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException(name + ": heads and head_dim must be fixed in the export, got "
                    + java.util.Arrays.toString(declared));
        }
        return pastWidth.tensor(env, pastWidth.allocate(0), new long[]{batch, heads, 0, headDim});
    }

    private int longest(List<int[]> sequences) {
        int seq = sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
        if (seq > maxPositions) {
            throw new SequenceTooLongException(seq, maxPositions);
        }
        return seq;
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    /**
     * The calling thread's logits buffer, grown when a batch needs more: allocating (and zeroing)
     * hundreds of MB per forward pass would cost more than the pass's reading saves.
     */
    private FloatBuffer outputBuffer(int floats) {
        FloatBuffer buffer = outputs.get();
        if (buffer == null || buffer.capacity() < floats) {
            buffer = ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            outputs.set(buffer);
        }
        return buffer.clear().limit(floats).slice();
    }

    /** The calling thread's buffer for {@code elements} float16 logits, grown like {@link #outputBuffer}. */
    private ByteBuffer narrowBuffer(int elements) {
        ByteBuffer buffer = narrowOutputs.get();
        if (buffer == null || buffer.capacity() < (long) elements * logitsWidth.bytes) {
            buffer = logitsWidth.allocate(elements);
            narrowOutputs.set(buffer);
        }
        return logitsWidth.slice(buffer, elements);
    }

    private static LongBuffer directLongs(int n) {
        return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }
}
