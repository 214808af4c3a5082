package dev.knowgate.monitor.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import org.eclipse.microprofile.config.spi.Converter;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where alerts are delivered, under {@code knowgate.monitor.webhooks}; documented in
 * docs/monitor-webhooks.md. No target configured: nothing is delivered (and no consumer runs).
 */
@ConfigMapping(prefix = "knowgate.monitor.webhooks")
public interface WebhooksConfig {

    /** The webhooks, by a name of your choice (used in logs and metrics), e.g. {@code targets.ops.url}. */
    Map<String, Target> targets();

    /** Tries per alert and target, the first included. */
    @WithDefault("8")
    int maxAttempts();

    /** Wait after the first failed try; doubled after each further one. */
    @WithDefault("1s")
    Duration initialBackoff();

    /** The longest wait between two tries, Retry-After included. */
    @WithDefault("60s")
    Duration maxBackoff();

    /** Per request: connecting and receiving the response. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * How often firing alerts are posted again to alertmanager targets: Alertmanager ends an alert
     * it has not heard of for its resolve_timeout (5 minutes by default), so its clients resend. 0 turns it off.
     */
    @WithDefault("1m")
    Duration alertmanagerResendInterval();

    /** The dashboard's address, linked from Slack messages and sent as Alertmanager's generatorURL. */
    Optional<String> dashboardUrl();

    interface Target {

        /** Where the body is POSTed (http or https). */
        String url();

        /** generic, alertmanager or slack (case-insensitive). */
        @WithDefault("generic")
        @WithConverter(FormatConverter.class)
        WebhookFormat format();

        /** Extra request headers, e.g. {@code headers.Authorization=Bearer ...}. */
        Map<String, String> headers();
    }

    /** Case-insensitive, with the accepted names in the error. */
    final class FormatConverter implements Converter<WebhookFormat> {

        private static final long serialVersionUID = 1L;

        @Override
        public WebhookFormat convert(String value) {
            return WebhookFormat.parse(value);
        }
    }
}
