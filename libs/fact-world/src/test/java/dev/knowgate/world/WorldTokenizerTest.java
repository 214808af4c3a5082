package dev.knowgate.world;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorldTokenizerTest {

    /** No truncation (DJL truncates at 512 by default), no padding, no special tokens added. */
    private static final Map<String, String> OPTIONS = Map.of("truncation", "false", "padding", "false",
            "addSpecialTokens", "false");

    @TempDir
    Path tmp;

    @Test
    void documentShape() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(WorldTokenizer.json(Worlds.MICRO.vocabulary()));
        assertThat(doc.get("truncation").isNull()).isTrue();
        assertThat(doc.get("padding").isNull()).isTrue();
        assertThat(doc.get("normalizer").isNull()).isTrue();
        assertThat(doc.at("/pre_tokenizer/type").asText()).isEqualTo("WhitespaceSplit");
        assertThat(doc.at("/model/type").asText()).isEqualTo("WordLevel");
        assertThat(doc.at("/model/unk_token").asText()).isEqualTo("<unk>");
        assertThat(doc.at("/model/vocab").size()).isEqualTo(Worlds.MICRO.vocabulary().size() + 5);
        for (int id = 0; id < 5; id++) {
            assertThat(doc.at("/added_tokens/" + id + "/id").asInt()).isEqualTo(id);
            assertThat(doc.at("/model/vocab/" + WorldTokenizer.SPECIAL_TOKENS.get(id)).asInt()).isEqualTo(id);
        }
        assertThat(doc.at("/model/vocab/<pad>").asInt()).isZero();
        assertThat(doc.at("/model/vocab/<eoa>").asInt()).isEqualTo(WorldTokenizer.EOA_ID);
        assertThatThrownBy(() -> WorldTokenizer.tokens(List.of("two words"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorldTokenizer.tokens(List.of("<unk>"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void djlTokenizerCoversTheWholeWorldAndRoundTrips() throws IOException {
        FactWorld world = Worlds.MICRO;
        Path file = WorldTokenizer.write(world, tmp.resolve(WorldFiles.TOKENIZER));
        List<String> texts = new ArrayList<>(world.pretrainingTexts());
        for (Fact fact : world.facts()) {
            texts.addAll(fact.questions());
            texts.addAll(fact.statements());
            texts.add(fact.answer());
            texts.add(QaFormat.fewShotPrompt(world.devByRelation().get(fact.relation().name()).stream()
                    .map(Fact::qaPair).toList(), fact.question()));
        }
        Set<String> seen = new HashSet<>();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, OPTIONS)) {
            for (String text : texts) {
                Encoding encoding = tokenizer.encode(text, false, false);
                long[] ids = encoding.getIds();
                assertThat(ids).as(text).hasSize(text.split(" ").length).doesNotContain((long) WorldTokenizer.UNK_ID);
                assertThat(encoding.getTokens()).containsExactly(text.split(" "));
                assertThat(tokenizer.decode(ids, false)).isEqualTo(text);
                seen.addAll(List.of(encoding.getTokens()));
            }
            // A long few-shot text is not cut at 512 tokens.
            String longText = String.join(" ", world.pretrainingTexts().subList(0, 200));
            assertThat(tokenizer.encode(longText, false, false).getIds()).hasSize(longText.split(" ").length);
            // Something outside the world is <unk>.
            assertThat(tokenizer.encode("Zzzqx", false, false).getIds()).containsExactly(WorldTokenizer.UNK_ID);
            assertThat(tokenizer.encode("A: x <eoa>", false, false).getIds()[2]).isEqualTo(WorldTokenizer.EOA_ID);
        }
        // Every template word and marker occurs in the world's texts; the rest of the vocabulary are
        // name words (of every entity, including those no fact mentions).
        assertThat(seen).containsAll(FactWorld.fixedWords());
        Set<String> nameWords = new HashSet<>();
        world.entities().forEach(e -> nameWords.addAll(e.words()));
        Set<String> rest = new HashSet<>(world.vocabulary());
        rest.removeAll(seen);
        assertThat(nameWords).containsAll(rest);
    }

    @Test
    void standardWorldTextsAreInTheVocabulary() {
        FactWorld world = Worlds.standard();
        Set<String> vocabulary = new HashSet<>(WorldTokenizer.tokens(world.vocabulary()));
        List<String> texts = new ArrayList<>(world.pretrainingTexts());
        world.facts().forEach(f -> texts.add(QaFormat.qa(f.question(), f.answer())));
        Set<String> missing = new HashSet<>();
        long words = 0;
        for (String text : texts) {
            for (String word : text.split(" ")) {
                words++;
                if (!vocabulary.contains(word)) {
                    missing.add(word);
                }
            }
        }
        assertThat(missing).isEmpty();
        assertThat(words).isGreaterThan(400_000);
    }
}
