package dev.knowgate.model.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The ids that end an answer: the manifest's terminator first, then the end-of-sequence ids the
 * model's {@code generation_config.json} lists. A Hugging Face {@code generate()} stops at any of
 * those (Llama 3 lists three, Qwen 2.5 two), so an answer the model ends with another EOS id than
 * the terminator is still an answer, in both SliCK modes and in every decoder.
 *
 * @param ids distinct, the terminator first (an id no token has, such as -1, never stops a decode)
 */
public record StopTokens(int[] ids) {

    public static final String GENERATION_CONFIG_FILE = "generation_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public StopTokens {
        if (ids.length == 0) {
            throw new IllegalArgumentException("at least one stop token (the terminator)");
        }
        if (Arrays.stream(ids).distinct().count() != ids.length) {
            throw new IllegalArgumentException("stop tokens must be distinct, got " + Arrays.toString(ids));
        }
        ids = ids.clone();
    }

    /** The terminator, then the other ids (repeats of earlier ones left out). */
    public static StopTokens of(int terminator, int... more) {
        Set<Integer> all = new LinkedHashSet<>();
        all.add(terminator);
        for (int id : more) {
            all.add(id);
        }
        return new StopTokens(all.stream().mapToInt(Integer::intValue).toArray());
    }

    /** These stop tokens and {@code more} (repeats left out), the terminator still first. */
    public StopTokens and(int... more) {
        int[] all = Arrays.copyOf(ids, ids.length + more.length);
        System.arraycopy(more, 0, all, ids.length, more.length);
        return of(ids[0], all);
    }

    /** The answer terminator: what gold answers are scored ending with first. */
    public int terminator() {
        return ids[0];
    }

    public boolean contains(int id) {
        for (int s : ids) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /**
     * The eos_token_id of a model folder's generation_config.json: one id or a list; none when the
     * file is absent (the project's own GPT models) or names none.
     *
     * @throws IOException when the file is there but is not a JSON object, or an id is not an integer >= 0
     */
    public static int[] eosIds(Path folder) throws IOException {
        Path file = folder.resolve(GENERATION_CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            return new int[0];
        }
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        JsonNode eos = root.get("eos_token_id");
        if (eos == null || eos.isNull()) {
            return new int[0];
        }
        JsonNode[] nodes = eos.isArray() ? toArray(eos) : new JsonNode[] {eos};
        int[] ids = new int[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            if (!nodes[i].canConvertToInt() || !nodes[i].isIntegralNumber() || nodes[i].intValue() < 0) {
                throw new IOException(file + ": eos_token_id must be an id or a list of ids >= 0, got " + eos);
            }
            ids[i] = nodes[i].intValue();
        }
        return ids;
    }

    /**
     * The EOS ids of a verified version: from its generation_config.json when the manifest lists one
     * (a file dropped in later is not trusted), each checked to be a logit of the model.
     *
     * @throws VocabularyCheck.MismatchException when an id is beyond the model's logits
     */
    public static int[] eosIds(ModelFolder folder, int vocabSize) throws IOException {
        if (folder.manifest().file(GENERATION_CONFIG_FILE).isEmpty()) {
            return new int[0];
        }
        int[] ids = eosIds(folder.file(GENERATION_CONFIG_FILE).getParent());
        for (int id : ids) {
            if (id >= vocabSize) {
                throw new VocabularyCheck.MismatchException(folder.manifest().key() + ": " + GENERATION_CONFIG_FILE
                        + " names eos_token_id " + id + " but the model's logits cover only " + vocabSize + " ids");
            }
        }
        return ids;
    }

    private static JsonNode[] toArray(JsonNode array) {
        JsonNode[] nodes = new JsonNode[array.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = array.get(i);
        }
        return nodes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StopTokens s && Arrays.equals(s.ids, ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "StopTokens" + Arrays.toString(ids);
    }
}
