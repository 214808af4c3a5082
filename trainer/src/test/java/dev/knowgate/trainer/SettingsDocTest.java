package dev.knowgate.trainer;

import dev.knowgate.testing.docs.SettingsTable;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/trainer.md's settings table names every setting of {@link TrainerConfig}, with its default, and nothing else. */
class SettingsDocTest {

    @Test
    void settingsTableMatchesTheConfigMapping() {
        assertThat(SettingsTable.mismatches(Path.of("../docs/trainer.md"), "Settings (", "knowgate.trainer", TrainerConfig.class))
                .isEmpty();
    }
}
