package dev.knowgate.model.runtime;

import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fact world's tokenizer.json through the runtime's loader: what categorization will tokenize with. */
class ModelTokenizerTest {

    @TempDir
    Path dir;

    @Test
    void encodesWorldTextAndKeepsTheAnswerTerminator() throws Exception {
        FactWorld world = FactWorld.generate(WorldConfig.micro(7L));
        Path file = dir.resolve("tokenizer.json");
        WorldTokenizer.write(world, file);

        try (ModelTokenizer tokenizer = ModelTokenizer.load(file)) {
            var fact = world.probes().get(0);
            String text = QaFormat.qa(fact.question(), fact.answer());
            int[] ids = tokenizer.encode(text);

            assertThat(tokenizer.tokens(text)).doesNotContain("<unk>").endsWith(QaFormat.ANSWER_TERMINATOR);
            assertThat(ids[ids.length - 1]).isEqualTo(tokenizer.tokenId(QaFormat.ANSWER_TERMINATOR));
            assertThat(tokenizer.decode(ids)).isEqualTo(text);
            assertThatThrownBy(() -> tokenizer.tokenId("Q: A:")).hasMessageContaining("2 tokens");
        }
    }
}
