package dev.knowgate.model.gpt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReferenceGptTest {

    private static final GptConfig C = GptConfig.of(50, 32, 16, 2, 2, 64);

    @Test
    void erfMatchesKnownValues() {
        assertThat(ReferenceGpt.erf(0)).isEqualTo(0.0);
        assertThat(ReferenceGpt.erf(0.5)).isCloseTo(0.5204998778130465, within(1e-13));
        assertThat(ReferenceGpt.erf(1)).isCloseTo(0.8427007929497149, within(1e-13));
        assertThat(ReferenceGpt.erf(-2)).isCloseTo(-0.9953222650189527, within(1e-13));
        assertThat(ReferenceGpt.erf(3)).isCloseTo(0.9999779095030014, within(1e-13));
        // series (|x| < 3) and continued fraction (|x| >= 3) agree where they meet
        assertThat(ReferenceGpt.erf(3 - 1e-9)).isCloseTo(ReferenceGpt.erf(3 + 1e-9), within(1e-12));
        assertThat(ReferenceGpt.erf(3.5)).isCloseTo(0.9999992569016276, within(1e-13));
        assertThat(ReferenceGpt.gelu(1f)).isCloseTo(0.8413447f, within(1e-6f));
    }

    @Test
    void paddingOnEitherSideDoesNotChangeRealTokens() {
        ReferenceGpt gpt = new ReferenceGpt(GptWeights.random(C, 3, 0.3, true));
        long[] ids = {5, 17, 2, 33, 9};
        float[][] plain = gpt.forwardOne(ids, new long[] {1, 1, 1, 1, 1});
        float[][] right = gpt.forwardOne(new long[] {5, 17, 2, 33, 9, 0, 0}, new long[] {1, 1, 1, 1, 1, 0, 0});
        float[][] left = gpt.forwardOne(new long[] {0, 0, 0, 5, 17, 2, 33, 9}, new long[] {0, 0, 0, 1, 1, 1, 1, 1});
        for (int t = 0; t < ids.length; t++) {
            for (int v = 0; v < C.vocabSize(); v++) {
                assertThat(right[t][v]).isCloseTo(plain[t][v], within(1e-5f));
                assertThat(left[t + 3][v]).isCloseTo(plain[t][v], within(1e-5f));
            }
        }
    }

    @Test
    void laterTokensDoNotChangeEarlierLogits() {
        ReferenceGpt gpt = new ReferenceGpt(GptWeights.random(C, 4, 0.3, true));
        float[][] a = gpt.forwardOne(new long[] {1, 2, 3, 4}, new long[] {1, 1, 1, 1});
        float[][] b = gpt.forwardOne(new long[] {1, 2, 3, 40}, new long[] {1, 1, 1, 1});
        for (int t = 0; t < 3; t++) {
            assertThat(b[t]).containsExactly(a[t]);
        }
        assertThat(b[3]).isNotEqualTo(a[3]);
    }
}
