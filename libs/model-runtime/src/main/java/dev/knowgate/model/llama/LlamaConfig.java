package dev.knowgate.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shape of a Llama-family decoder (RMSNorm, rotary positions, SwiGLU MLP, grouped-query
 * attention), read from and written as a Hugging Face {@code config.json} with its own key names,
 * so the project's exports and an optimum export of a real model describe themselves alike.
 *
 * @param vocabSize             vocab_size
 * @param hiddenSize            hidden_size (d_model)
 * @param intermediateSize      intermediate_size (width of the SwiGLU MLP)
 * @param layers                num_hidden_layers
 * @param heads                 num_attention_heads
 * @param kvHeads               num_key_value_heads; divides heads (fewer than heads: grouped-query attention)
 * @param headDim               head_dim; hidden_size / heads when the file does not say
 * @param maxPositions          max_position_embeddings
 * @param rmsNormEps            rms_norm_eps
 * @param ropeTheta             rope_theta (base of the rotary frequencies)
 * @param tieWordEmbeddings     tie_word_embeddings: the head is embed_tokens, else lm_head.weight
 * @param bosTokenId            bos_token_id, or -1
 * @param eosTokenId            eos_token_id, or -1
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                          int headDim, int maxPositions, double rmsNormEps, double ropeTheta,
                          boolean tieWordEmbeddings, int bosTokenId, int eosTokenId) {

    public static final String CONFIG_FILE = "config.json";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";
    public static final String MODEL_TYPE = "llama";

    private static final ObjectMapper JSON = new ObjectMapper();

    public LlamaConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositions);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + heads
                    + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary positions, got " + headDim);
        }
        if (!(rmsNormEps > 0) || rmsNormEps >= 1) {
            throw new IllegalArgumentException("rms_norm_eps must be in (0, 1), got " + rmsNormEps);
        }
        if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException("rope_theta must be > 1, got " + ropeTheta);
        }
        long biggest = Math.max((long) vocabSize * hiddenSize, (long) hiddenSize * intermediateSize);
        if (biggest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a weight tensor would have " + biggest + " elements, too many for one array");
        }
    }

    /** Head dim hidden / heads, rope_theta 10000, eps 1e-5, ids as in the Llama/Mistral tokenizers (BOS 1, EOS 2). */
    public static LlamaConfig of(int vocabSize, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                                 int maxPositions, boolean tied) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, layers, heads, kvHeads, hiddenSize / heads,
                maxPositions, 1e-5, 10_000, tied, 1, 2);
    }

    /** SmolLM2-135M's shape (HuggingFaceTB/SmolLM2-135M config.json), for load and speed measurements. */
    public static LlamaConfig smolLm2Shape() {
        return new LlamaConfig(49_152, 576, 1536, 30, 9, 3, 64, 8192, 1e-5, 100_000, true, 0, 0);
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    public long parameterCount() {
        long d = hiddenSize;
        long q = (long) heads * headDim;
        long kv = (long) kvHeads * headDim;
        long perLayer = 2 * d + d * q + 2 * d * kv + q * d + 3 * d * intermediateSize;
        return (long) vocabSize * d * (tieWordEmbeddings ? 1 : 2) + layers * perLayer + d;
    }

    /** The config.json of a folder; keys this record does not use are ignored. */
    public static LlamaConfig read(Path configJson) throws IOException {
        JsonNode n = JSON.readTree(configJson.toFile());
        if (n == null || !n.isObject()) {
            throw new IOException(configJson + ": not a JSON object");
        }
        try {
            int hidden = required(n, "hidden_size");
            int heads = required(n, "num_attention_heads");
            return new LlamaConfig(required(n, "vocab_size"), hidden, required(n, "intermediate_size"),
                    required(n, "num_hidden_layers"), heads,
                    n.has("num_key_value_heads") ? required(n, "num_key_value_heads") : heads,
                    n.hasNonNull("head_dim") ? required(n, "head_dim") : hidden / heads,
                    required(n, "max_position_embeddings"),
                    n.path("rms_norm_eps").asDouble(1e-6), n.path("rope_theta").asDouble(10_000),
                    n.path("tie_word_embeddings").asBoolean(false),
                    firstId(n.get("bos_token_id")), firstId(n.get("eos_token_id")));
        } catch (IllegalArgumentException e) {
            throw new IOException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** Writes config.json and generation_config.json (BOS/EOS) into {@code dir}, as transformers saves them. */
    public void writeTo(Path dir) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", MODEL_TYPE);
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("intermediate_size", intermediateSize);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("max_position_embeddings", maxPositions);
        c.put("rms_norm_eps", rmsNormEps);
        c.put("rope_theta", ropeTheta);
        c.put("hidden_act", "silu");
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("tie_word_embeddings", tieWordEmbeddings);
        c.put("torch_dtype", "float32");
        c.put("use_cache", true);
        putId(c, "bos_token_id", bosTokenId);
        putId(c, "eos_token_id", eosTokenId);
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), c);
        ObjectNode g = JSON.createObjectNode();
        putId(g, "bos_token_id", bosTokenId);
        putId(g, "eos_token_id", eosTokenId);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(GENERATION_CONFIG_FILE).toFile(), g);
    }

    private static void putId(ObjectNode node, String key, int id) {
        if (id >= 0) {
            node.put(key, id);
        } else {
            node.putNull(key);
        }
    }

    private static int required(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("'" + key + "' is missing or not an integer");
        }
        return v.intValue();
    }

    /** An id, the first of a list of ids (eos_token_id may be either), or -1. */
    static int firstId(JsonNode v) {
        if (v instanceof ArrayNode a) {
            return a.isEmpty() ? -1 : firstId(a.get(0));
        }
        return v != null && v.canConvertToInt() ? v.intValue() : -1;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
