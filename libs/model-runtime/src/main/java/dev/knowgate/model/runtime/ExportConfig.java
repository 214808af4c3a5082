package dev.knowgate.model.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * What a Hugging Face export's {@code config.json} tells the runtime, whatever the family (Llama,
 * Mistral, Qwen, SmolLM): the longest sequence, and the key/value heads and head size the cache
 * must have. A folder that ships config.json is an HF export, and its
 * {@value OnnxCausalLm#MODEL_FILE} takes the cache (optimum's {@code text-generation-with-past}).
 *
 * @param maxPositions max_position_embeddings (or n_positions); Integer.MAX_VALUE when absent
 * @param kvHeads      num_key_value_heads (num_attention_heads when absent); -1 when neither is given
 * @param headDim      head_dim, else hidden_size / num_attention_heads; -1 when not derivable
 */
public record ExportConfig(int maxPositions, int kvHeads, int headDim) {

    public static final String CONFIG_FILE = "config.json";
    /** The manifest architecture of an HF causal LM export (optimum's layout, config.json beside it). */
    public static final String ARCHITECTURE = "hf-causal-lm";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether a version is an HF export (lists config.json). */
    public static boolean present(ModelFolder folder) {
        return folder.manifest().file(CONFIG_FILE).isPresent();
    }

    /** The folder's config, or null when it ships no config.json. */
    public static ExportConfig of(ModelFolder folder) {
        if (!present(folder)) {
            return null;
        }
        try {
            return parse(read(folder.file(CONFIG_FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(folder.dir() + ": unreadable " + CONFIG_FILE, e);
        }
    }

    static ExportConfig parse(JsonNode config) {
        int maxPositions = integer(config, "max_position_embeddings",
                integer(config, "n_positions", Integer.MAX_VALUE));
        int heads = integer(config, "num_attention_heads", -1);
        int kvHeads = integer(config, "num_key_value_heads", heads);
        int hidden = integer(config, "hidden_size", -1);
        int headDim = integer(config, "head_dim", heads > 0 && hidden > 0 ? hidden / heads : -1);
        return new ExportConfig(maxPositions, kvHeads, headDim);
    }

    /**
     * Refuses an export whose cache inputs disagree with its config (a config.json from another
     * model, or an export with the heads repeated): decoding would read the cache wrongly.
     */
    void checkCache(long heads, long headDim) {
        if (kvHeads > 0 && heads != kvHeads) {
            throw new IllegalArgumentException("config.json says num_key_value_heads " + kvHeads
                    + " but the export's past_key_values have " + heads + " heads");
        }
        if (this.headDim > 0 && headDim != this.headDim) {
            throw new IllegalArgumentException("config.json says head_dim " + this.headDim
                    + " but the export's past_key_values have " + headDim);
        }
    }

    private static JsonNode read(Path file) throws IOException {
        JsonNode node = JSON.readTree(file.toFile());
        if (node == null || !node.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        return node;
    }

    private static int integer(JsonNode node, String key, int otherwise) {
        JsonNode v = node.get(key);
        return v != null && v.canConvertToInt() ? v.intValue() : otherwise;
    }
}
