package dev.knowgate.world;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The world's Hugging Face tokenizer.json: a WordLevel model over the whole vocabulary, the
 * special tokens {@code <pad>}=0, {@code <unk>}=1, {@code <bos>}=2, {@code <eos>}=3,
 * {@code <eoa>}=4, a WhitespaceSplit pre-tokenizer, no normalizer (case matters), no
 * post-processor, truncation and padding explicitly null, and a WordPiece decoder (prefix "##",
 * which no word has, cleanup off) so decoding joins tokens with single spaces.
 */
public final class WorldTokenizer {

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";
    public static final String EOA = QaFormat.ANSWER_TERMINATOR;
    /** In id order: PAD is 0, UNK 1, BOS 2, EOS 3, EOA 4. */
    public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, BOS, EOS, EOA);
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int BOS_ID = 2;
    public static final int EOS_ID = 3;
    public static final int EOA_ID = 4;

    private WorldTokenizer() {
    }

    /** The special tokens, then {@code words}: the id of a token is its index here. */
    public static List<String> tokens(List<String> words) {
        List<String> tokens = new ArrayList<>(SPECIAL_TOKENS);
        for (String word : words) {
            if (word.isEmpty() || word.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("a token is one non-empty word: '" + word + "'");
            }
            if (tokens.contains(word)) {
                throw new IllegalArgumentException("duplicate token: " + word);
            }
            tokens.add(word);
        }
        return List.copyOf(tokens);
    }

    /** The tokenizer.json document for {@code words} (the special tokens are added in front). */
    public static Map<String, Object> document(List<String> words) {
        List<String> tokens = tokens(words);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        List<Map<String, Object>> added = new ArrayList<>();
        for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", id);
            token.put("content", SPECIAL_TOKENS.get(id));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordLevel");
        model.put("vocab", vocab);
        model.put("unk_token", UNK);
        Map<String, Object> decoder = new LinkedHashMap<>();
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", false);

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", "1.0");
        doc.put("truncation", null);
        doc.put("padding", null);
        doc.put("added_tokens", added);
        doc.put("normalizer", null);
        doc.put("pre_tokenizer", Map.of("type", "WhitespaceSplit"));
        doc.put("post_processor", null);
        doc.put("decoder", decoder);
        doc.put("model", model);
        return doc;
    }

    /** The tokenizer.json text for {@code words}: two-space indentation, "\n" line ends. */
    public static String json(List<String> words) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        ObjectWriter writer = new ObjectMapper().writer(printer);
        try {
            return writer.writeValueAsString(document(words)) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write tokenizer.json", e);
        }
    }

    /** Writes the tokenizer.json of {@code world} to {@code file}. */
    public static Path write(FactWorld world, Path file) throws IOException {
        Files.writeString(file, json(world.vocabulary()), StandardCharsets.UTF_8);
        return file;
    }
}
