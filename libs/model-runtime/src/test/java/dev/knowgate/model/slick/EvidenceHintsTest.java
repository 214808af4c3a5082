package dev.knowgate.model.slick;

import dev.knowgate.contracts.Evidence.Hint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The hints a curator gets with a quarantined example, rule by rule. */
class EvidenceHintsTest {

    @Test
    void nearlyTheGoldTextIsANearMatchWhateverTheConfidence() {
        // A word more or less: a missing alias.
        assertThat(EvidenceHints.hint("Tessaly", 0.1, List.of("Tessaly City"))).isEqualTo(Hint.NEAR_MATCH);
        assertThat(EvidenceHints.hint("Lorin Vask", 0.9, List.of("Vask"))).isEqualTo(Hint.NEAR_MATCH);
        // Normalisation the matcher does not do (a hyphen for a space is punctuation removed: "saintmorrow").
        assertThat(EvidenceHints.hint("Saint-Morrow", 0.9, List.of("Saint Morrow"))).isEqualTo(Hint.NEAR_MATCH);
        // A small typo in a longer name; an alias can be the near one.
        assertThat(EvidenceHints.hint("Krourpandford", 0.2, List.of("Krourpanford"))).isEqualTo(Hint.NEAR_MATCH);
        assertThat(EvidenceHints.hint("Vinvale", 0.2, List.of("Hiakaithby", "Vinvalle"))).isEqualTo(Hint.NEAR_MATCH);
        assertThat(EvidenceHints.hint("Trabrosvale", 0.8, List.of("Trabrsovale"))).isEqualTo(Hint.NEAR_MATCH);
    }

    @Test
    void anotherAnswerIsConfidentFromOneHalfOnAndNothingBelow() {
        assertThat(EvidenceHints.hint("Sivriaton", 0.5, List.of("Vrechanmere"))).isEqualTo(Hint.CONFIDENT_OTHER);
        assertThat(EvidenceHints.hint("Sivriaton", 0.49, List.of("Vrechanmere"))).isEqualTo(Hint.NONE);
        // One shared word of two is not a near match: another person of the same family.
        assertThat(EvidenceHints.hint("Dikra Shokfiraind", 0.3, List.of("Tourfom Shokfiraind"))).isEqualTo(Hint.NONE);
        // Even short names a letter apart: a typo is likelier than another entity of the same spelling.
        assertThat(EvidenceHints.hint("Vask", 0.3, List.of("Vesk"))).isEqualTo(Hint.NEAR_MATCH);
        assertThat(EvidenceHints.hint("Ada", 0.3, List.of("Ida Morr"))).isEqualTo(Hint.NONE);
    }

    @Test
    void noAnswerOrOnlyAnArticleSaysNothing() {
        assertThat(EvidenceHints.hint(null, 0.0, List.of("Tessaly"))).isEqualTo(Hint.NONE);
        assertThat(EvidenceHints.hint("the", 0.9, List.of("Tessaly"))).isEqualTo(Hint.NONE);
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(EvidenceHints.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(EvidenceHints.editDistance("", "abc")).isEqualTo(3);
        assertThat(EvidenceHints.editDistance("same", "same")).isZero();
        assertThat(EvidenceHints.editDistance("Trabrsovale", "Trabrosvale")).as("a swap is one edit").isEqualTo(1);
    }
}
