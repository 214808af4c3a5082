package dev.knowgate.model.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** generation_config.json's eos_token_id as transformers writes it: one id, a list, null or absent. */
class StopTokensTest {

    @TempDir
    Path dir;

    private int[] eos(String json) throws IOException {
        Files.writeString(dir.resolve(StopTokens.GENERATION_CONFIG_FILE), json);
        return StopTokens.eosIds(dir);
    }

    @Test
    void oneIdAListNullOrNoFile() throws IOException {
        assertThat(StopTokens.eosIds(dir)).isEmpty();
        assertThat(eos("{\"bos_token_id\": 1, \"eos_token_id\": 2}")).containsExactly(2);
        // Llama 3.1's: <|end_of_text|>, <|eom_id|>, <|eot_id|>.
        assertThat(eos("{\"eos_token_id\": [128001, 128008, 128009]}")).containsExactly(128001, 128008, 128009);
        assertThat(eos("{\"eos_token_id\": null}")).isEmpty();
        assertThat(eos("{\"do_sample\": true}")).isEmpty();
    }

    @Test
    void aBrokenFileIsRefusedByName() {
        assertThatThrownBy(() -> eos("[2]")).hasMessageContaining("generation_config.json: not a JSON object");
        assertThatThrownBy(() -> eos("{\"eos_token_id\": \"</s>\"}")).hasMessageContaining("eos_token_id must be");
        assertThatThrownBy(() -> eos("{\"eos_token_id\": [2, -1]}")).hasMessageContaining("eos_token_id must be");
        assertThatThrownBy(() -> eos("{\"eos_token_id\": 2.5}")).hasMessageContaining("eos_token_id must be");
    }

    @Test
    void theTerminatorComesFirstAndRepeatsAreLeftOut() {
        StopTokens stops = StopTokens.of(13, 2, 13, 2);
        assertThat(stops.ids()).containsExactly(13, 2);
        assertThat(stops.terminator()).isEqualTo(13);
        assertThat(stops.contains(2)).isTrue();
        assertThat(stops.contains(3)).isFalse();
        assertThat(stops.and(128001, 2, 128009).ids()).containsExactly(13, 2, 128001, 128009);
        assertThatThrownBy(() -> new StopTokens(new int[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StopTokens(new int[] {1, 1})).isInstanceOf(IllegalArgumentException.class);
    }
}
