package dev.knowgate.ingest;

import dev.knowgate.service.TopicsConfig;
import dev.knowgate.testing.docs.SettingsTable;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/ingest.md's settings table names every setting of {@link IngestConfig}, with its default, and nothing else. */
class SettingsDocTest {

    @Test
    void settingsTableMatchesTheConfigMapping() {
        assertThat(SettingsTable.mismatches(Path.of("../../docs/ingest.md"), "Configuration", "knowgate.ingest", IngestConfig.class))
                .isEmpty();
    }

    /** The settings every service shares (service-support's) are README's; checked here, in the first service. */
    @Test
    void readmeConfigurationTableMatchesTopicsConfig() {
        assertThat(SettingsTable.mismatches(Path.of("../../README.md"), "## Configuration", "knowgate",
                TopicsConfig.class)).isEmpty();
    }
}
