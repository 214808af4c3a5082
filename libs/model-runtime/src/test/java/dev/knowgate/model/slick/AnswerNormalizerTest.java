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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Lon|false",            // no gold word starts so
            "London|false",
            "Par|true",
            "the Par|true",         // a complete article vanishes
            "Th|true",              // may still become "the"
            "Paris Hil|false",      // "paris" is a whole gold answer; nothing more can follow it
            "New Y|true",
            "New York C|true",
            "New Jersey|false",
            "N.Y.|true",            // punctuation is removed, not a word boundary
            "|true",
            "Café|true",            // beyond ASCII the test gives up: decoding decides
    })
    void tellsWhetherAnAnswersStartCanStillMatch(String prefix, boolean possible) {
        assertThat(AnswerNormalizer.mayMatchAfter(prefix == null ? "" : prefix, List.of("Paris", "New York City", "NYC")))
                .isEqualTo(possible);
    }

    /** Never "impossible" for the start of a text that matches: every prefix of every matching variant. */
    @Test
    void neverRulesOutTheStartOfAMatchingAnswer() {
        List<String> golds = List.of("Jean Morrow", "The Beatles", "St. Louis", "1984", "Anna Theroux");
        List<String> predictions = List.of("Jean Morrow", "jean  morrow.", "Jean Mor-row", "the Jean Morrow", "A Jean Morrow!",
                "Beatles", "the beatles", "The The Beatles", "an Beatles", "St Louis", "St. Louis", "\"1984\"", "19-84",
                "Anna Theroux", "anna the theroux", "ANNA THEROUX", " Jean Morrow ");
        for (String prediction : predictions) {
            assertThat(AnswerNormalizer.matches(prediction, golds)).as(prediction).isTrue();
            for (int end = 0; end <= prediction.length(); end++) {
                assertThat(AnswerNormalizer.mayMatchAfter(prediction.substring(0, end), golds))
                        .as("'%s' of '%s'", prediction.substring(0, end), prediction).isTrue();
            }
        }
    }
}
