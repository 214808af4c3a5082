package dev.knowgate.monitor.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.EvidencePoint;
import dev.knowgate.contracts.json.ContractJson;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How an alert is written for a webhook: the request body (JSON) for one {@link Alert}, firing or
 * resolved. Config values are the lower-case names: {@code generic}, {@code alertmanager},
 * {@code slack}.
 */
public enum WebhookFormat {

    /** The alert's own contract JSON, exactly as on the alerts topic. */
    GENERIC {
        @Override
        public String render(Alert alert, Optional<String> dashboardUrl) {
            return ContractJson.writeString(alert);
        }
    },

    /**
     * A Prometheus Alertmanager {@code POST /api/v2/alerts} body (postableAlerts): an array with
     * one alert. Alertmanager identifies an alert by its labels, so the labels are the same when
     * it fires and when it resolves; a resolved alert carries {@code endsAt}, which is how
     * Alertmanager learns it is over.
     */
    ALERTMANAGER {
        @Override
        public String render(Alert alert, Optional<String> dashboardUrl) {
            ObjectNode labels = JSON.objectNode();
            labels.put("alertname", alertName(alert.kind()));
            labels.put("model", alert.model());
            if (alert.modelVersion() != null) {
                labels.put("version", alert.modelVersion().toString());
            }
            labels.put("metric", alert.metric());
            labels.put("kind", alert.kind().wireName());
            labels.put("severity", "warning");
            labels.put("alert_id", alert.id());

            // Annotation values must be strings (labelSet), numbers included.
            ObjectNode annotations = JSON.objectNode();
            annotations.put("summary", alert.message());
            annotations.put("description", description(alert));
            if (!alert.evidence().isEmpty()) {
                annotations.put("evidence", evidence(alert, Integer.MAX_VALUE));
            }

            ObjectNode posted = JSON.objectNode();
            posted.set("labels", labels);
            posted.set("annotations", annotations);
            posted.put("startsAt", alert.firedAt().toString());
            if (alert.status() == AlertStatus.RESOLVED) {
                posted.put("endsAt", alert.resolvedAt().toString());
            }
            dashboardUrl.ifPresent(url -> posted.put("generatorURL", url));
            ArrayNode body = JSON.arrayNode();
            body.add(posted);
            return ContractJson.writeString(body);
        }
    },

    /**
     * A Slack incoming-webhook message: a plain {@code text} (what notifications and screen
     * readers show) and Block Kit {@code blocks} for the channel. Texts are mrkdwn-escaped and cut
     * to Block Kit's limits, since Slack refuses the whole message (400 invalid_blocks) otherwise.
     */
    SLACK {
        @Override
        public String render(Alert alert, Optional<String> dashboardUrl) {
            boolean firing = alert.status() == AlertStatus.FIRING;
            String headline = (firing ? ":rotating_light: FIRING" : ":white_check_mark: RESOLVED")
                    + " " + alert.kind().wireName() + " on " + modelRef(alert) + ": " + alert.metric() + " "
                    + number(alert.value()) + (alert.statistic() == null ? "" : ", " + statisticName(alert.kind()) + " "
                    + number(alert.statistic())) + " vs threshold " + number(alert.threshold());

            ArrayNode blocks = JSON.arrayNode();
            blocks.add(section(cut("*" + escape(headline) + "*\n" + escape(alert.message()), SECTION_TEXT_MAX)));

            ObjectNode facts = JSON.objectNode();
            facts.put("type", "section");
            ArrayNode fields = facts.putArray("fields");
            fields.add(field("Model", modelRef(alert)));
            fields.add(field("Metric", alert.metric()));
            fields.add(field("Value", number(alert.value())));
            if (alert.statistic() != null) {
                fields.add(field("Statistic", statisticName(alert.kind()) + " " + number(alert.statistic())));
            }
            fields.add(field("Baseline", number(alert.baseline())));
            fields.add(field("Threshold", number(alert.threshold())));
            fields.add(field("Kind", alert.kind().wireName()));
            fields.add(field("Fired at", alert.firedAt().toString()));
            if (!firing) {
                fields.add(field("Resolved at", alert.resolvedAt().toString()));
            }
            fields.add(field("Alert id", alert.id()));
            blocks.add(facts); // at most 10 fields: Block Kit's limit

            if (!alert.evidence().isEmpty()) {
                blocks.add(section(cut("*Evidence* (newest last)\n" + escape(evidence(alert, SLACK_EVIDENCE_POINTS)),
                        SECTION_TEXT_MAX)));
            }
            dashboardUrl.ifPresent(url -> {
                ObjectNode context = JSON.objectNode();
                context.put("type", "context");
                context.putArray("elements").add(mrkdwn("<" + url + "|Open the knowgate dashboard>"));
                blocks.add(context);
            });

            ObjectNode body = JSON.objectNode();
            body.put("text", escape(headline)); // the top-level text is mrkdwn too
            body.set("blocks", blocks);
            return ContractJson.writeString(body);
        }
    };

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Block Kit: a section's text holds at most 3000 characters, each of its fields 2000. */
    private static final int SECTION_TEXT_MAX = 3000;
    private static final int FIELD_TEXT_MAX = 2000;
    /** A chat message shows the recent trend, not the whole series (up to 1000 points). */
    private static final int SLACK_EVIDENCE_POINTS = 20;

    /** The request body for {@code alert}; {@code dashboardUrl} is linked where the format has a place for it. */
    public abstract String render(Alert alert, Optional<String> dashboardUrl);

    /** The format named {@code name}, case-insensitively: generic, alertmanager or slack. */
    public static WebhookFormat parse(String name) {
        String wanted = name == null ? "" : name.trim();
        for (WebhookFormat format : values()) {
            if (format.name().equalsIgnoreCase(wanted)) {
                return format;
            }
        }
        throw new IllegalArgumentException("webhook format must be one of "
                + Arrays.stream(values()).map(WebhookFormat::configName).collect(Collectors.joining(", "))
                + ", got \"" + name + "\"");
    }

    /** The name used in config, e.g. "alertmanager". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "Knowgate" + the kind in CamelCase: KnowgateBaselineExceeded. */
    static String alertName(AlertKind kind) {
        StringBuilder name = new StringBuilder("Knowgate");
        for (String word : kind.name().split("_")) {
            if (!word.isEmpty()) {
                name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        return name.toString();
    }

    /** The metric's value and the detector's statistic, each named, and which of them the threshold limits. */
    static String description(Alert alert) {
        String value = alert.metric() + " of " + modelRef(alert) + " is " + number(alert.value()) + " against a baseline of "
                + number(alert.baseline());
        if (alert.statistic() == null) {
            return value + " (threshold " + number(alert.threshold()) + ", detector " + alert.kind().wireName() + ")";
        }
        return value + "; " + statisticName(alert.kind()) + " " + number(alert.statistic()) + " against a threshold of "
                + number(alert.threshold()) + " (detector " + alert.kind().wireName() + ")";
    }

    /** What a detector's statistic is, in words. */
    static String statisticName(AlertKind kind) {
        return switch (kind) {
            case RISING_TREND -> "Theil-Sen slope per version";
            case CHANGE_POINT -> "CUSUM statistic";
            default -> "statistic";
        };
    }

    /** The last {@code max} points as "label=value, ...", oldest first. */
    private static String evidence(Alert alert, int max) {
        var points = alert.evidence();
        int from = Math.max(0, points.size() - max);
        String shown = points.subList(from, points.size()).stream()
                .map(WebhookFormat::point)
                .collect(Collectors.joining(", "));
        return from == 0 ? shown : "(" + from + " earlier points omitted) " + shown;
    }

    private static String point(EvidencePoint p) {
        return p.label() + "=" + number(p.value());
    }

    private static String modelRef(Alert alert) {
        return alert.modelVersion() == null ? alert.model() : alert.model() + "@" + alert.modelVersion();
    }

    /** Four significant digits, plain notation: people read these, the exact value is in the generic format. */
    static String number(double value) {
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static ObjectNode section(String text) {
        ObjectNode section = JSON.objectNode();
        section.put("type", "section");
        section.set("text", mrkdwn(text));
        return section;
    }

    private static ObjectNode field(String title, String value) {
        return mrkdwn(cut("*" + title + "*\n" + escape(value), FIELD_TEXT_MAX));
    }

    private static ObjectNode mrkdwn(String text) {
        ObjectNode node = JSON.objectNode();
        node.put("type", "mrkdwn");
        node.put("text", text);
        return node;
    }

    /** Slack reads &, < and > as markup in mrkdwn; data must not open links or mentions. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
