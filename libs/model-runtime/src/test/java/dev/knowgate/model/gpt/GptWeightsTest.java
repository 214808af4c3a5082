package dev.knowgate.model.gpt;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GptWeightsTest {

    private static final GptConfig C = GptConfig.of(50, 32, 16, 2, 2, 64);

    @Test
    void expectedNamesFollowGpt2() {
        Map<String, int[]> shapes = GptWeights.expectedShapes(C);
        assertThat(shapes).hasSize(2 + 12 * 2 + 2);
        assertThat(shapes.keySet()).startsWith("wte", "wpe", "h.0.ln_1.weight").endsWith("ln_f.weight", "ln_f.bias");
        assertThat(shapes.get("h.1.attn.c_attn.weight")).containsExactly(16, 48);
        assertThat(shapes.get("h.1.mlp.c_proj.weight")).containsExactly(64, 16);
        assertThat(shapes.get("wpe")).containsExactly(32, 16);
    }

    @Test
    void randomIsDeterministicPerSeed() {
        assertThat(GptWeights.random(C, 7)).isEqualTo(GptWeights.random(C, 7));
        assertThat(GptWeights.random(C, 7)).isNotEqualTo(GptWeights.random(C, 8));
        GptWeights w = GptWeights.random(C, 7);
        assertThat(w.get("h.0.ln_1.weight").data()).containsOnly(1f);
        assertThat(w.get("h.0.attn.c_attn.bias").data()).containsOnly(0f);
    }

    @Test
    void refusesMissingUnexpectedAndMisShapedTensors() {
        Map<String, GptWeights.Tensor> m = new LinkedHashMap<>(GptWeights.random(C, 1).tensors());
        m.remove("h.1.ln_2.bias");
        assertThatThrownBy(() -> new GptWeights(C, m)).hasMessageContaining("missing tensor 'h.1.ln_2.bias'");

        Map<String, GptWeights.Tensor> m2 = new LinkedHashMap<>(GptWeights.random(C, 1).tensors());
        m2.put("h.0.attn.c_proj.weight", GptWeights.Tensor.zeros(16, 17));
        assertThatThrownBy(() -> new GptWeights(C, m2))
                .hasMessageContaining("'h.0.attn.c_proj.weight' has shape [16, 17], expected [16, 16]");

        Map<String, GptWeights.Tensor> m3 = new LinkedHashMap<>(GptWeights.random(C, 1).tensors());
        m3.put("lm_head.weight", GptWeights.Tensor.zeros(50, 16));
        assertThatThrownBy(() -> new GptWeights(C, m3)).hasMessageContaining("unexpected tensor 'lm_head.weight'");

        assertThatThrownBy(() -> new GptWeights.Tensor(new int[] {2, 3}, new float[5])).hasMessageContaining("6 elements");
    }
}
