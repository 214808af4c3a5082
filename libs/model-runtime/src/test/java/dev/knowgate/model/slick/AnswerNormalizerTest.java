package dev.knowgate.model.slick;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerNormalizerTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Paris|paris",
            "  The   Eiffel Tower. |eiffel tower",
            "an apple a day|apple day",
            "Theodore|theodore",          // an article only as a whole word
            "anna THE|anna",
            "St. Louis, Missouri|st louis missouri",
            "Jean-Paul Sartre|jeanpaul sartre", // punctuation removed, not replaced (SQuAD)
            "«Bonjour»!|bonjour",
            "Café\tRouge|café rouge",
            "the|''",
    })
    void normalises(String text, String expected) {
        assertThat(AnswerNormalizer.normalize(text)).isEqualTo(expected);
    }

    @Test
    void matchesAnswerOrAliasAfterNormalisationAndNeverAnEmptyPrediction() {
        List<String> golds = List.of("New York City", "NYC");
        assertThat(AnswerNormalizer.matches("new york city.", golds)).isTrue();
        assertThat(AnswerNormalizer.matches(" the N.Y.C ", golds)).isTrue();
        assertThat(AnswerNormalizer.matches("New York", golds)).isFalse();
        assertThat(AnswerNormalizer.matches("New York City Hall", golds)).isFalse();
        assertThat(AnswerNormalizer.matches("", List.of(""))).isFalse();
        assertThat(AnswerNormalizer.matches("The", List.of("a"))).isFalse();
    }
}
