package dev.knowgate.monitor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.EvidencePoint;
import dev.knowgate.contracts.json.ContractJson;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each format's body for a firing and a resolved alert, read back as JSON. */
class WebhookFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant FIRED = Instant.parse("2025-03-01T10:15:30Z");
    private static final Instant RESOLVED = Instant.parse("2025-03-01T12:00:00Z");
    private static final Optional<String> DASHBOARD = Optional.of("http://knowgate.example:8084/dashboard");

    private final Alert firing = new Alert("alert-42", AlertKind.BASELINE_EXCEEDED, AlertStatus.FIRING,
            "forgetting_rate", "knowgate-gpt", 7L, 0.18234, null, 0.1, 0.15,
            List.of(new EvidencePoint("knowgate-gpt@6", 0.1), new EvidencePoint("knowgate-gpt@7", 0.18234)),
            "Forgetting rose <fast> & far on knowgate-gpt@7", FIRED, null);
    private final Alert resolved = firing.resolve(RESOLVED);

    @Test
    void genericIsTheAlertsOwnContractJson() throws Exception {
        for (Alert alert : List.of(firing, resolved)) {
            String body = WebhookFormat.GENERIC.render(alert, DASHBOARD);
            assertThat(body).isEqualTo(ContractJson.writeString(alert));
            assertThat(ContractJson.read(body, Alert.class)).isEqualTo(alert);
        }
        JsonNode node = JSON.readTree(WebhookFormat.GENERIC.render(resolved, Optional.empty()));
        assertThat(node.get("status").asText()).isEqualTo("resolved");
        assertThat(node.get("resolvedAt").asText()).isEqualTo("2025-03-01T12:00:00Z");
    }

    @Test
    void alertmanagerFiringIsOnePostableAlertWithoutEndsAt() throws Exception {
        JsonNode body = JSON.readTree(WebhookFormat.ALERTMANAGER.render(firing, DASHBOARD));

        assertThat(body.isArray()).isTrue();
        assertThat(body).hasSize(1);
        JsonNode alert = body.get(0);
        assertThat(fieldNames(alert)).containsExactlyInAnyOrder("labels", "annotations", "startsAt", "generatorURL");

        JsonNode labels = alert.get("labels");
        assertThat(fieldNames(labels)).containsExactlyInAnyOrder("alertname", "model", "version", "metric", "kind",
                "severity", "alert_id");
        assertThat(labels.get("alertname").asText()).isEqualTo("KnowgateBaselineExceeded");
        assertThat(labels.get("model").asText()).isEqualTo("knowgate-gpt");
        assertThat(labels.get("version").asText()).isEqualTo("7");
        assertThat(labels.get("metric").asText()).isEqualTo("forgetting_rate");
        assertThat(labels.get("kind").asText()).isEqualTo("baseline_exceeded");
        assertThat(labels.get("severity").asText()).isEqualTo("warning");
        assertThat(labels.get("alert_id").asText()).isEqualTo("alert-42");
        labels.forEach(v -> assertThat(v.isTextual()).as("label values are strings").isTrue());

        JsonNode annotations = alert.get("annotations");
        assertThat(annotations.get("summary").asText()).isEqualTo(firing.message());
        assertThat(annotations.get("description").asText())
                .contains("0.1823").contains("baseline of 0.1").contains("threshold 0.15").contains("knowgate-gpt@7");
        assertThat(annotations.get("evidence").asText()).isEqualTo("knowgate-gpt@6=0.1, knowgate-gpt@7=0.1823");
        annotations.forEach(v -> assertThat(v.isTextual()).as("annotation values are strings").isTrue());

        assertThat(alert.get("startsAt").asText()).isEqualTo("2025-03-01T10:15:30Z");
        assertThat(alert.has("endsAt")).isFalse();
        assertThat(alert.get("generatorURL").asText()).isEqualTo(DASHBOARD.get());
    }

    @Test
    void alertmanagerResolvedCarriesEndsAtAndTheSameLabels() throws Exception {
        JsonNode fired = JSON.readTree(WebhookFormat.ALERTMANAGER.render(firing, DASHBOARD)).get(0);
        JsonNode ended = JSON.readTree(WebhookFormat.ALERTMANAGER.render(resolved, DASHBOARD)).get(0);

        assertThat(ended.get("startsAt").asText()).isEqualTo("2025-03-01T10:15:30Z");
        assertThat(ended.get("endsAt").asText()).isEqualTo("2025-03-01T12:00:00Z");
        // Alertmanager matches the resolution to the firing alert by its label set.
        assertThat(ended.get("labels")).isEqualTo(fired.get("labels"));
    }

    @Test
    void alertmanagerLeavesOutWhatIsAbsent() throws Exception {
        Alert windowAlert = new Alert("alert-43", AlertKind.RISING_TREND, AlertStatus.FIRING, "unknown_share",
                "knowgate-gpt", null, 0.3, null, 0.2, 0.25, List.of(), "Unknown share rising", FIRED, null);
        JsonNode alert = JSON.readTree(WebhookFormat.ALERTMANAGER.render(windowAlert, Optional.empty())).get(0);

        assertThat(alert.get("labels").has("version")).isFalse();
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("KnowgateRisingTrend");
        assertThat(alert.get("annotations").has("evidence")).isFalse();
        assertThat(alert.has("generatorURL")).isFalse();
    }

    @Test
    void alertNamesAreCamelCaseKinds() {
        assertThat(WebhookFormat.alertName(AlertKind.BASELINE_EXCEEDED)).isEqualTo("KnowgateBaselineExceeded");
        assertThat(WebhookFormat.alertName(AlertKind.RISING_TREND)).isEqualTo("KnowgateRisingTrend");
        assertThat(WebhookFormat.alertName(AlertKind.CHANGE_POINT)).isEqualTo("KnowgateChangePoint");
        assertThat(WebhookFormat.alertName(AlertKind.CANDIDATE_REJECTED)).isEqualTo("KnowgateCandidateRejected");
    }

    @Test
    void theMetricsValueAndTheDetectorsStatisticAreStatedApart() throws Exception {
        Alert trend = new Alert("rising_trend-forgetting_rate-knowgate-gpt-1", AlertKind.RISING_TREND, AlertStatus.FIRING,
                "forgetting_rate", "knowgate-gpt", 4L, 0.18, 0.0552, 0.0, 0.02, List.of(), "rising", FIRED, null);
        String description = JSON.readTree(WebhookFormat.ALERTMANAGER.render(trend, Optional.empty())).get(0)
                .get("annotations").get("description").asText();
        assertThat(description).isEqualTo("forgetting_rate of knowgate-gpt@4 is 0.18 against a baseline of 0; "
                + "Theil-Sen slope per version 0.0552 against a threshold of 0.02 (detector rising_trend)");
        assertThat(JSON.readTree(WebhookFormat.ALERTMANAGER.render(firing, Optional.empty())).get(0)
                .get("annotations").get("description").asText())
                .isEqualTo("forgetting_rate of knowgate-gpt@7 is 0.1823 against a baseline of 0.1 (threshold 0.15, "
                        + "detector baseline_exceeded)");
        String slack = JSON.readTree(WebhookFormat.SLACK.render(trend, Optional.empty())).get("text").asText();
        assertThat(slack).contains("forgetting_rate 0.18, Theil-Sen slope per version 0.0552 vs threshold 0.02");
    }

    @Test
    void slackFiringHasTextAndBlocks() throws Exception {
        JsonNode body = JSON.readTree(WebhookFormat.SLACK.render(firing, DASHBOARD));

        assertThat(fieldNames(body)).containsExactlyInAnyOrder("text", "blocks");
        assertThat(body.get("text").asText())
                .startsWith(":rotating_light: FIRING")
                .contains("baseline_exceeded").contains("knowgate-gpt@7").contains("0.1823").contains("0.15");
        assertValidBlocks(body.get("blocks"));

        JsonNode headline = body.get("blocks").get(0);
        assertThat(headline.get("type").asText()).isEqualTo("section");
        // Data is escaped: "<fast>" must not become a Slack link or mention.
        assertThat(headline.get("text").get("text").asText()).contains("Forgetting rose &lt;fast&gt; &amp; far");

        Map<String, String> fields = fields(body.get("blocks").get(1));
        assertThat(fields).containsEntry("Model", "knowgate-gpt@7").containsEntry("Value", "0.1823")
                .containsEntry("Baseline", "0.1").containsEntry("Threshold", "0.15")
                .containsEntry("Fired at", "2025-03-01T10:15:30Z").containsEntry("Alert id", "alert-42")
                .doesNotContainKey("Resolved at");

        JsonNode last = body.get("blocks").get(body.get("blocks").size() - 1);
        assertThat(last.get("type").asText()).isEqualTo("context");
        assertThat(last.get("elements").get(0).get("text").asText()).contains("<" + DASHBOARD.get() + "|");
    }

    @Test
    void slackResolvedSaysSo() throws Exception {
        JsonNode body = JSON.readTree(WebhookFormat.SLACK.render(resolved, Optional.empty()));

        assertThat(body.get("text").asText()).startsWith(":white_check_mark: RESOLVED");
        assertValidBlocks(body.get("blocks"));
        assertThat(fields(body.get("blocks").get(1))).containsEntry("Resolved at", "2025-03-01T12:00:00Z");
        body.get("blocks").forEach(b -> assertThat(b.get("type").asText()).isNotEqualTo("context"));
    }

    @Test
    void slackStaysWithinBlockKitLimitsForTheLargestAlert() throws Exception {
        List<EvidencePoint> evidence = new ArrayList<>();
        IntStream.range(0, Alert.MAX_EVIDENCE).forEach(i -> evidence.add(new EvidencePoint("v" + i, i / 1000.0)));
        Alert huge = new Alert("alert-44", AlertKind.CHANGE_POINT, AlertStatus.FIRING, "forgetting_rate",
                "knowgate-gpt", 9L, 0.5, 1.25, 0.1, 0.2, evidence, "<&>".repeat(Alert.MAX_MESSAGE_LENGTH / 3), FIRED, null);
        JsonNode body = JSON.readTree(WebhookFormat.SLACK.render(huge, DASHBOARD));

        assertValidBlocks(body.get("blocks"));
        assertThat(body.get("blocks").get(2).get("text").get("text").asText())
                .contains("980 earlier points omitted").endsWith("v999=0.999");
    }

    @Test
    void formatsParseCaseInsensitively() {
        assertThat(WebhookFormat.parse("alertmanager")).isEqualTo(WebhookFormat.ALERTMANAGER);
        assertThat(WebhookFormat.parse("SLACK")).isEqualTo(WebhookFormat.SLACK);
        assertThat(WebhookFormat.parse(" Generic ")).isEqualTo(WebhookFormat.GENERIC);
        assertThatThrownBy(() -> WebhookFormat.parse("teams")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generic, alertmanager, slack").hasMessageContaining("teams");
        assertThat(WebhookFormat.ALERTMANAGER.configName()).isEqualTo("alertmanager");
    }

    /** Block Kit rules the bodies rely on: typed blocks, mrkdwn texts within their limits, at most 10 fields. */
    private static void assertValidBlocks(JsonNode blocks) {
        assertThat(blocks.isArray()).isTrue();
        assertThat(blocks.size()).isBetween(1, 50);
        for (JsonNode block : blocks) {
            String type = block.get("type").asText();
            assertThat(type).isIn("section", "context");
            if (block.has("text")) {
                assertThat(block.get("text").get("type").asText()).isEqualTo("mrkdwn");
                assertThat(block.get("text").get("text").asText()).isNotEmpty().hasSizeLessThanOrEqualTo(3000);
            }
            if (block.has("fields")) {
                assertThat(block.get("fields").size()).isBetween(1, 10);
                block.get("fields").forEach(f -> {
                    assertThat(f.get("type").asText()).isEqualTo("mrkdwn");
                    assertThat(f.get("text").asText()).hasSizeLessThanOrEqualTo(2000);
                });
            }
            if (type.equals("section")) {
                assertThat(block.has("text") || block.has("fields")).isTrue();
            }
        }
    }

    /** A fields section as title -> value ("*Title*\nvalue"). */
    private static Map<String, String> fields(JsonNode section) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        section.get("fields").forEach(f -> {
            String[] parts = f.get("text").asText().split("\n", 2);
            fields.put(parts[0].replace("*", ""), parts[1]);
        });
        return fields;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
