package dev.knowgate.model.gpt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GptConfigTest {

    @Test
    void jsonRoundTripKeepsEveryField() {
        GptConfig c = new GptConfig(2000, 64, 128, 4, 4, 512, 1e-5);
        String json = c.toJson();
        assertThat(json).isEqualTo("{\"vocabSize\":2000,\"maxPositions\":64,\"dModel\":128,\"nHeads\":4,"
                + "\"nLayers\":4,\"dFf\":512,\"layerNormEps\":1.0E-5}");
        assertThat(GptConfig.fromJson(json)).isEqualTo(c);
        assertThat(c.headDim()).isEqualTo(32);
    }

    @Test
    void refusesInvalidShapes() {
        assertThatThrownBy(() -> GptConfig.of(50, 32, 16, 3, 2, 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nHeads");
        assertThatThrownBy(() -> GptConfig.of(0, 32, 16, 2, 2, 64)).hasMessageContaining("vocabSize");
        assertThatThrownBy(() -> new GptConfig(50, 32, 16, 2, 2, 64, 0))
                .hasMessageContaining("layerNormEps");
        assertThatThrownBy(() -> GptConfig.fromJson("{\"vocabSize\":50}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid GPT config JSON");
    }

    @Test
    void parameterCountMatchesTheTensors() {
        GptConfig c = GptConfig.of(50, 32, 16, 2, 2, 64);
        assertThat(GptWeights.random(c, 1).parameterCount()).isEqualTo(c.parameterCount());
    }
}
