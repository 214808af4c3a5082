package dev.knowgate.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExampleIdsTest {

    @Test
    void absentIdIsTheStableContentHash() {
        // Pinned: changing the id rule re-keys every example already on the topics.
        assertThat(Example.of("Where was Lorin Vask born?", "Tessaly").id()).isEqualTo("ex-26c8508bdea1b2d912c59cbc");
        assertThat(ExampleIds.of("Where was Lorin Vask born?", "Tessaly")).isEqualTo("ex-26c8508bdea1b2d912c59cbc");
    }

    @Test
    void blankIdCountsAsAbsent() {
        Example example = new Example(1, "  ", "Where was Lorin Vask born?", "Tessaly", null, null, null, null, null, null, null, null);

        assertThat(example.id()).isEqualTo("ex-26c8508bdea1b2d912c59cbc");
    }

    @Test
    void whitespaceCaseAndCompatibilityFormsDoNotChangeIt() {
        String id = ExampleIds.of("Where was Lorin Vask born?", "Tessaly");

        assertThat(List.of(
                ExampleIds.of("  where WAS   lorin\tvask born? ", "TESSALY"),
                ExampleIds.of("Where was Lorin\u00A0Vask born?", "Tessaly "),        // no-break space
                ExampleIds.of("Where was Lorin\u3000Vask born\uFF1F", "Tessaly"),     // ideographic space, full-width '?'
                ExampleIds.of("Where was Lorin Vask born?", "\uFF34essaly")))         // full-width 'T'
                .containsOnly(id);
    }

    @Test
    void differentContentGivesDifferentIds() {
        String id = ExampleIds.of("Where was Lorin Vask born?", "Tessaly");

        assertThat(ExampleIds.of("Where was Lorin Vask born?", "Orvane")).isNotEqualTo(id);
        assertThat(ExampleIds.of("Where did Lorin Vask die?", "Tessaly")).isNotEqualTo(id);
        // The separator keeps the question/answer boundary: moving a word across it is new content.
        assertThat(ExampleIds.of("a b", "c")).isNotEqualTo(ExampleIds.of("a", "b c"));
    }

    @Test
    void givenIdIsKept() {
        Example example = new Example(1, "curated-0042", "Where was Lorin Vask born?", "Tessaly",
                null, null, null, null, null, null, null, null);

        assertThat(example.id()).isEqualTo("curated-0042");
    }

    @Test
    void idsHaveTheDocumentedShape() {
        assertThat(ExampleIds.of("Q?", "A")).matches("ex-[0-9a-f]{24}");
    }

    @Test
    void normalisationFollowsTheRule() {
        assertThat(ExampleIds.normalise("  Ｌorin\n\t VASK  ")).isEqualTo("lorin vask");
        assertThat(ExampleIds.normalise("ﬁne")).isEqualTo("fine"); // NFKC ligature
    }
}
