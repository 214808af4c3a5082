package dev.knowgate.monitor;

import dev.knowgate.monitor.webhook.WebhooksConfig;
import dev.knowgate.testing.docs.SettingsTable;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's settings tables name every setting of its config mappings, with their defaults, and nothing else. */
class SettingsDocTest {

    @Test
    void monitorSettingsTableMatchesMonitorConfig() {
        // Its webhooks row points to docs/monitor-webhooks.md, checked below.
        assertThat(SettingsTable.mismatches(Path.of("../docs/monitor.md"), "Settings", "knowgate.monitor",
                MonitorConfig.class)).isEmpty();
    }

    @Test
    void webhookSettingsTableMatchesWebhooksConfig() {
        assertThat(SettingsTable.mismatches(Path.of("../docs/monitor-webhooks.md"), "Settings", "knowgate.monitor.webhooks",
                WebhooksConfig.class)).isEmpty();
    }
}
