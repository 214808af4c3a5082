package dev.knowgate.contracts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CategoryTest {

    @ParameterizedTest(name = "P_greedy={0}, P_sampled={1} -> {2}")
    @CsvSource({
            "1.0,    1.0,    HIGHLY_KNOWN",
            "1.0,    0.0,    HIGHLY_KNOWN",
            "0.9999, 1.0,    MAYBE_KNOWN",
            "0.5,    0.0,    MAYBE_KNOWN",
            "0.1,    0.9,    MAYBE_KNOWN",
            "1e-9,   0.0,    MAYBE_KNOWN",
            "0.0,    1.0,    WEAKLY_KNOWN",
            "0.0,    0.0625, WEAKLY_KNOWN",
            "0.0,    1e-12,  WEAKLY_KNOWN",
            "0.0,    0.0,    UNKNOWN",
            "-0.0,   -0.0,   UNKNOWN",
    })
    void appliesTheSlickRule(double pGreedy, double pSampled, Category expected) {
        assertThat(Category.of(pGreedy, pSampled)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "P_greedy={0}, P_sampled={1}")
    @CsvSource({"-0.01, 0.5", "1.01, 0.5", "0.5, -1", "0.5, 1.5", "NaN, 0", "0, NaN", "Infinity, 0"})
    void rejectsProbabilitiesOutsideZeroToOne(double pGreedy, double pSampled) {
        assertThatThrownBy(() -> Category.of(pGreedy, pSampled))
                .isInstanceOf(ContractViolation.class)
                .hasMessageContaining("must be between 0 and 1");
    }

    @Test
    void knownIsHighlyOrMaybeKnown() {
        assertThat(Category.HIGHLY_KNOWN.isKnown()).isTrue();
        assertThat(Category.MAYBE_KNOWN.isKnown()).isTrue();
        assertThat(Category.WEAKLY_KNOWN.isKnown()).isFalse();
        assertThat(Category.UNKNOWN.isKnown()).isFalse();
    }

    @Test
    void wireNamesAreThePapers() {
        assertThat(Category.values()).extracting(Category::wireName)
                .containsExactly("HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown");
        assertThat(Category.fromWire("WeaklyKnown")).isEqualTo(Category.WEAKLY_KNOWN);
    }
}
