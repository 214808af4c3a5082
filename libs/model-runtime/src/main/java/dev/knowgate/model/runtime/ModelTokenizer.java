package dev.knowgate.model.runtime;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A model version's tokenizer.json (Hugging Face format) through DJL's tokenizers binding, so the
 * project's word-level tokenizer and a real model's BPE tokenizer load the same way. No special
 * tokens are added, nothing is truncated or padded: callers build exactly the sequences they score.
 */
public final class ModelTokenizer implements AutoCloseable {

    public static final String TOKENIZER_FILE = "tokenizer.json";

    static {
        // DJL looks for a metadata address at start-up unless told it is offline; nothing here may
        // reach the network. An explicit setting by the operator wins.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false", "truncation", "false", "padding", "false");

    /** A word after which {@link #terminatorId} looks at the terminator's ids. */
    private static final String AFTER = "Paris";

    private final HuggingFaceTokenizer tokenizer;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The tokenizer of a verified model version. */
    public static ModelTokenizer load(ModelFolder folder) throws IOException {
        return load(folder.file(TOKENIZER_FILE));
    }

    public static ModelTokenizer load(Path tokenizerJson) throws IOException {
        return new ModelTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS));
    }

    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        return Arrays.stream(encoding.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    /** The tokens as the tokenizer split them, for messages and tests. */
    public String[] tokens(String text) {
        return tokenizer.encode(text, false, false).getTokens();
    }

    /** The id of a single token (such as the answer terminator); an error if the text is not one token. */
    public int tokenId(String token) {
        int[] ids = encode(token);
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + token + "' is " + ids.length + " tokens, not one");
        }
        return ids[0];
    }

    /**
     * The id that ends an answer: the terminator when it is one token (the project's {@code <eoa>}, a
     * real model's {@code </s>}), or the one id it adds right after text. A SentencePiece-style
     * tokenizer reads a newline alone as {@code ▁ <0x0A>} but after an answer as {@code <0x0A>}; that
     * is the id a model generates to end its answer. An error when it is more than one id either way.
     */
    public int terminatorId(String terminator) {
        int[] alone = encode(terminator);
        if (alone.length == 1) {
            return alone[0];
        }
        int[] text = encode(AFTER);
        int[] followed = encode(AFTER + terminator);
        if (followed.length == text.length + 1
                && Arrays.equals(Arrays.copyOf(followed, text.length), text)) {
            return followed[text.length];
        }
        throw new IllegalArgumentException("the answer terminator '" + terminator.replace("\n", "\\n") + "' is "
                + alone.length + " tokens on its own and " + (followed.length - text.length)
                + " after text, not one");
    }

    /** Decodes ids, keeping special tokens (the answer terminator among them). */
    public String decode(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), false);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
