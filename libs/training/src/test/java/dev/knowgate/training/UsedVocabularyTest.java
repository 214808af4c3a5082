package dev.knowgate.training;

import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsedVocabularyTest {

    @Test
    void numbersTheUsedIdsCompactlyAndWritesTheModelBackAtFullSizeWithZeroRowsElsewhere() {
        BitSet used = new BitSet();
        used.set(2);
        used.set(7);
        used.set(9);
        UsedVocabulary vocabulary = UsedVocabulary.of(12, used);
        assertThat(vocabulary.size()).isEqualTo(3);
        assertThat(vocabulary.absent()).isEqualTo(9);
        assertThat(vocabulary.compact(new int[]{9, 2, 7, 9})).containsExactly(2, 0, 1, 2);
        assertThatThrownBy(() -> vocabulary.compact(3)).hasMessageContaining("3");

        GptWeights compact = GptWeights.random(GptConfig.of(3, 16, 8, 2, 1, 32), 3L);
        GptWeights full = vocabulary.expand(compact);
        assertThat(full.config().vocabSize()).isEqualTo(12);
        assertThat(full.config().dModel()).isEqualTo(8);
        float[] wte = full.get("wte").data();
        for (int id = 0; id < 12; id++) {
            float[] row = Arrays.copyOfRange(wte, id * 8, id * 8 + 8);
            if (used.get(id)) {
                int c = vocabulary.compact(id);
                assertThat(row).containsExactly(Arrays.copyOfRange(compact.get("wte").data(), c * 8, c * 8 + 8));
            } else {
                assertThat(row).containsOnly(0f);
            }
        }
        for (String name : compact.names()) {
            if (!name.equals("wte")) {
                assertThat(full.get(name)).isEqualTo(compact.get(name));
            }
        }
    }
}
