package dev.knowgate.model.llama;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** float16 rounding as IEEE 754 defines it, and config.json as transformers writes and reads it. */
class HalfAndConfigTest {

    @Test
    void knownValuesRoundTripAndRoundToNearestEven() {
        assertThat(Half.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(Half.fromFloat(-2f)).isEqualTo((short) 0xc000);
        assertThat(Half.fromFloat(65504f)).isEqualTo((short) 0x7bff); // largest finite
        assertThat(Half.fromFloat(65520f)).isEqualTo((short) 0x7c00); // rounds up to infinity
        assertThat(Half.fromFloat(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
        assertThat(Half.fromFloat(0x1p-25f)).isEqualTo((short) 0x0000); // a tie: to even, zero
        assertThat(Half.fromFloat(1 + 0x1p-11f)).isEqualTo((short) 0x3c00); // tie between 1 and 1 + 2^-10: even
        assertThat(Half.fromFloat(1 + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02); // tie: to the even mantissa
        assertThat(Half.toFloat(Half.fromFloat(Float.NaN))).isNaN();
        assertThat(Half.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        for (int h = 0; h < 0x10000; h++) { // every finite half survives half -> float -> half
            if ((h & 0x7c00) != 0x7c00) {
                assertThat(Half.fromFloat(Half.toFloat((short) h))).isEqualTo((short) h);
            }
        }
    }

    @Test
    void roundingIsToTheNearestHalfAndSymmetric() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            float f = (float) (random.nextDouble() * Math.pow(2, random.nextInt(-26, 16)));
            short h = Half.fromFloat(f);
            assertThat(Half.fromFloat(-f)).isEqualTo((short) (h | 0x8000));
            float rounded = Half.toFloat(h);
            float below = h == 0 ? rounded : Half.toFloat((short) (h - 1));
            float above = Half.toFloat((short) (h + 1));
            assertThat(Math.abs(f - rounded)).as("%s", f)
                    .isLessThanOrEqualTo(Math.min(Math.abs(f - below), Math.abs(f - above)));
        }
    }

    @Test
    void configJsonReadsTransformersKeysAndRefusesShapesThatCannotWork(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(LlamaConfig.CONFIG_FILE);
        Files.writeString(file, """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152,
                 "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
                 "num_attention_heads": 9, "num_key_value_heads": 3, "max_position_embeddings": 8192,
                 "rms_norm_eps": 1e-05, "rope_theta": 100000, "tie_word_embeddings": true,
                 "bos_token_id": 0, "eos_token_id": [0, 2], "torch_dtype": "bfloat16"}
                """);
        LlamaConfig c = LlamaConfig.read(file);
        assertThat(c).isEqualTo(LlamaConfig.smolLm2Shape());
        assertThat(c.headDim()).isEqualTo(64);
        assertThat(c.groupSize()).isEqualTo(3);
        assertThat(c.parameterCount()).isEqualTo(134_515_008L);

        Files.writeString(file, """
                {"vocab_size": 100, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 3, "max_position_embeddings": 64}
                """);
        assertThatThrownBy(() -> LlamaConfig.read(file)).hasMessageContaining("multiple of num_key_value_heads (3)");
        Files.writeString(file, "{\"vocab_size\": 100}");
        assertThatThrownBy(() -> LlamaConfig.read(file)).hasMessageContaining("'hidden_size' is missing");
    }
}
