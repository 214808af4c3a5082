package dev.knowgate.monitor.webhook;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mapping as SmallRye reads it: no targets is allowed, formats in lower case, defaults. */
class WebhooksConfigTest {

    @Test
    void nothingSetMeansNoTargetsAndTheDefaults() {
        WebhooksConfig config = read(Map.of());

        assertThat(config.targets()).isEmpty();
        assertThat(config.maxAttempts()).isEqualTo(8);
        assertThat(config.initialBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.maxBackoff()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.dashboardUrl()).isEmpty();
    }

    @Test
    void targetsByNameWithLowerCaseFormatsAndOptionalHeaders() {
        WebhooksConfig config = read(Map.of(
                "knowgate.monitor.webhooks.targets.ops.url", "http://alertmanager:9093/api/v2/alerts",
                "knowgate.monitor.webhooks.targets.ops.format", "alertmanager",
                "knowgate.monitor.webhooks.targets.chat.url", "https://hooks.slack.com/services/T/B/X",
                "knowgate.monitor.webhooks.targets.chat.format", "slack",
                "knowgate.monitor.webhooks.targets.audit.url", "https://audit.example/hook",
                "knowgate.monitor.webhooks.targets.audit.headers.Authorization", "Bearer s3cret",
                "knowgate.monitor.webhooks.max-attempts", "3",
                "knowgate.monitor.webhooks.initial-backoff", "500ms",
                "knowgate.monitor.webhooks.dashboard-url", "http://knowgate:8084/"));

        assertThat(config.targets()).containsOnlyKeys("ops", "chat", "audit");
        assertThat(config.targets().get("ops").format()).isEqualTo(WebhookFormat.ALERTMANAGER);
        assertThat(config.targets().get("ops").headers()).isEmpty();
        assertThat(config.targets().get("chat").format()).isEqualTo(WebhookFormat.SLACK);
        assertThat(config.targets().get("audit").format()).isEqualTo(WebhookFormat.GENERIC);
        assertThat(config.targets().get("audit").headers()).containsExactly(Map.entry("Authorization", "Bearer s3cret"));
        assertThat(config.maxAttempts()).isEqualTo(3);
        assertThat(config.initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.dashboardUrl()).contains("http://knowgate:8084/");
    }

    @Test
    void anUnknownFormatFailsWithTheAcceptedNames() {
        assertThatThrownBy(() -> read(Map.of(
                "knowgate.monitor.webhooks.targets.ops.url", "http://x/",
                "knowgate.monitor.webhooks.targets.ops.format", "teams")))
                .hasStackTraceContaining("generic, alertmanager, slack");
    }

    private static WebhooksConfig read(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus' "1s" syntax
                .withMapping(WebhooksConfig.class)
                .build();
        return config.getConfigMapping(WebhooksConfig.class);
    }
}
