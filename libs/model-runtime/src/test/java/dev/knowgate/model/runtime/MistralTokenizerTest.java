package dev.knowgate.model.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real published BPE tokenizer (models/tokenizers/mistral-7b-v0.1, Mistral 7B's, from npm) through
 * the same {@link ModelTokenizer} the pipeline uses: which tokenizer it is, and what a real
 * SentencePiece-style BPE does that the project's word-level tokenizer never does.
 */
class MistralTokenizerTest {

    private static final Path FOLDER = Path.of("..", "..", "models", "tokenizers", "mistral-7b-v0.1");
    private static final int BOS = 1;
    private static final int EOS = 2;

    private static ModelTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        tokenizer = ModelTokenizer.load(FOLDER.resolve(ModelTokenizer.TOKENIZER_FILE));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void itIsMistral7BsTokenizerNotLlama2s() throws Exception {
        // Mistral's published encoding of "Hello world!" (BOS added by the template); Llama 2's is 15043 3186 29991.
        assertThat(tokenizer.encode("Hello world!")).containsExactly(22557, 1526, 28808);
        JsonNode json = new ObjectMapper().readTree(FOLDER.resolve(ModelTokenizer.TOKENIZER_FILE).toFile());
        assertThat(json.path("model").path("vocab").path("▁the").asInt()).isEqualTo(272); // Llama 2: 278
        assertThat(json.path("model").path("vocab").path("▁A").asInt()).isEqualTo(330); // Llama 2: 319
        assertThat(json.path("model").path("vocab").size()).isEqualTo(32_000);
        assertThat(json.path("model").path("type").asText()).isEqualTo("BPE");
        assertThat(json.path("model").path("byte_fallback").asBoolean()).isTrue();
        JsonNode config = new ObjectMapper().readTree(FOLDER.resolve("tokenizer_config.json").toFile());
        assertThat(config.path("add_bos_token").asBoolean()).isTrue();
        assertThat(config.path("bos_token").asText()).isEqualTo("<s>");
        assertThat(config.path("eos_token").asText()).isEqualTo("</s>");
    }

    @Test
    void leadingSpacesArePiecesOfTheirOwn() {
        // The legacy normaliser prepends '▁': a text that starts with a space gets a lone '▁' first, so an
        // answer scored after a prompt must be tokenized in context, not on its own.
        assertThat(tokenizer.tokens("Morrow")).containsExactly("▁Mor", "row");
        assertThat(tokenizer.tokens(" Morrow")).containsExactly("▁", "▁Mor", "row");
        assertThat(tokenizer.tokens("Paris")).containsExactly("▁Paris");
    }

    @Test
    void specialTokensAreSingleIdsAndSurviveDecoding() {
        assertThat(tokenizer.tokenId("<s>")).isEqualTo(BOS);
        assertThat(tokenizer.tokenId("</s>")).isEqualTo(EOS);
        int[] answer = tokenizer.encode("Paris");
        int[] terminated = IntStream.concat(IntStream.of(answer), IntStream.of(EOS)).toArray();
        assertThat(tokenizer.decode(terminated)).isEqualTo("Paris</s>");
        // BOS is the template's, added as an id (add_bos_token), never as text; decoded with it, the
        // sentence keeps the space its first piece stands for.
        int[] withBos = IntStream.concat(IntStream.of(BOS), IntStream.of(tokenizer.encode("Hello world!"))).toArray();
        assertThat(withBos).containsExactly(1, 22557, 1526, 28808);
        assertThat(tokenizer.decode(withBos)).isEqualTo("<s> Hello world!");
    }

    @Test
    void aNewlineIsAByteFallbackPieceNotAToken() {
        // A newline terminator is the byte piece <0x0A> (id 13), after a '▁' when it starts the text:
        // it cannot be looked up as one token of text the way the project's "<eoa>" is.
        assertThat(tokenizer.tokens("\n")).containsExactly("▁", "<0x0A>");
        assertThatThrownBy(() -> tokenizer.tokenId("\n")).isInstanceOf(IllegalArgumentException.class);
        // ... so the terminator's id is the one it takes after an answer, what the model generates.
        assertThat(tokenizer.terminatorId("\n")).isEqualTo(13);
        assertThat(tokenizer.terminatorId("</s>")).isEqualTo(EOS);
        assertThatThrownBy(() -> tokenizer.terminatorId("\n\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'\\n\\n' is 3 tokens on its own and 2 after text, not one");
        int[] line = tokenizer.encode("Paris\n");
        assertThat(line[line.length - 1]).isEqualTo(13);
        assertThat(tokenizer.decode(line)).isEqualTo("Paris\n");
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToTheirBytes() {
        // U+1F99C (parrot) is not a piece: its four UTF-8 bytes are; U+1F600 is a piece of its own.
        int[] parrot = tokenizer.encode("🦜");
        assertThat(tokenizer.tokens("🦜")).containsExactly("▁", "<0xF0>", "<0x9F>", "<0xA6>", "<0x9C>");
        assertThat(tokenizer.decode(parrot)).isEqualTo("🦜");
        assertThat(tokenizer.tokens("😀")).containsExactly("▁", "😀");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Paris", " Morrow", "Zürich", "naïve café", "北京市", "Ngô Đình Diệm", "a\nb\tc",
            "two  spaces", "1,234.5 km²", "O'Brien-Smith", "😀 and 🇫🇷", "🦜 𓀀 ꙮ"})
    void textRoundTrips(String text) {
        assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
    }
}
