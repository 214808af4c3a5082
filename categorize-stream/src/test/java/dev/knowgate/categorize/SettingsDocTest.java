package dev.knowgate.categorize;

import dev.knowgate.testing.docs.SettingsTable;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/categorize.md's settings table names every setting of {@link CategorizeConfig}, with its default, and nothing else. */
class SettingsDocTest {

    @Test
    void settingsTableMatchesTheConfigMapping() {
        assertThat(SettingsTable.mismatches(Path.of("../docs/categorize.md"), "Settings", "knowgate.categorize", CategorizeConfig.class))
                .isEmpty();
    }
}
