package dev.knowgate.monitor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.json.ContractJson;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The dashboard page in a real headless Chromium, served with canned monitor data by
 * {@link DashboardFixtureServer} (the page, Chart.js from its WebJar, and the four endpoints' JSON
 * from src/test/resources/dashboard). Skipped where no Chromium is installed.
 */
class DashboardPageTest {

    static final String ALERT_MESSAGE = "Unknown share of incoming examples for knowgate-base: 60.0% (24 of 40)";

    @Test
    void answersIsTheNewestVersionSafeAndDrawsVersionsMixAlertsAndTransitions() throws Exception {
        DashboardAssertions.chromiumOrSkip();
        try (DashboardFixtureServer server = DashboardFixtureServer.start()) {
            String dom = DashboardAssertions.assertDashboard(server.baseUrl(), 5, 5, 1, ALERT_MESSAGE,
                    Path.of("target", "dashboard.png"));

            Map<String, String> body = DashboardAssertions.bodyAttributes(dom);
            assertThat(body).containsEntry("data-resolved-alerts", "1")
                    .containsEntry("data-newest", "knowgate-base@5")
                    .containsEntry("data-newest-status", "candidate")
                    .containsEntry("data-live", "knowgate-base@4")
                    .containsEntry("data-gate", "0.03")
                    .containsEntry("data-partial", "1")
                    // The matrix is the newest version with a whole evaluation, not the partial candidate's.
                    .containsEntry("data-transitions", "knowgate-base@4");
            String text = DashboardAssertions.unescape(dom);
            // The on-call answer: the newest is a candidate that serves nothing yet; what is live; what changed.
            assertThat(text).contains("knowgate-base@5 is a candidate: its evaluation has 238 of 300 probes")
                    .contains("trained from knowgate-base@4 on 185 examples (HighlyKnown 95, MaybeKnown 55, WeaklyKnown 35)")
                    .contains("80% (217 of 270) of the MaybeKnown and WeaklyKnown facts trained on")
                    .containsPattern("data-verdict=\"pending\"");
            // Every version's status and its one forgetting figure, with what it counts.
            assertThat(DashboardAssertions.countRows(dom, "versions-table", "version status-rejected")).isEqualTo(1);
            assertThat(DashboardAssertions.countRows(dom, "versions-table", "version status-live")).isEqualTo(1);
            assertThat(DashboardAssertions.countRows(dom, "versions-table", "version status-candidate partial")).isEqualTo(1);
            assertThat(text).contains("6.1% (18 of 296)").contains("238 of 300")
                    .contains("knowgate-base@4 against its baseline knowgate-base@1 · 300 of 300 probes · forgets 2.0% (6 of 296)");
            // The resolved rejection, the change point's value and statistic apart.
            assertThat(text).contains("knowgate-base@3 was rejected and never served").contains("2026-11-22 09:03:41Z")
                    .contains(">0.6000<").contains(">0.4200<");
            assertThat(DashboardAssertions.countRows(dom, "resolved-alerts", "resolved")).isEqualTo(1);
            assertThat(dom).containsPattern("id=\"error-banner\"[^>]*hidden");
        }
    }

    @Test
    void aRejectedNewestVersionReadsAsRejectedWithTheLiveOneNamed() throws Exception {
        HeadlessChromium chromium = DashboardAssertions.chromiumOrSkip();
        String versions = DashboardFixtureServer.fixture("dashboard/versions.json");
        // Only the first three versions: the newest, v3, was rejected and v2 is live.
        JsonNode all = ContractJson.mapper().readTree(versions);
        com.fasterxml.jackson.databind.node.ArrayNode three = ContractJson.mapper().createArrayNode();
        for (int i = 0; i < 3; i++) {
            three.add(all.get(i));
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) three.get(1)).put("live", true);
        try (DashboardFixtureServer server = DashboardFixtureServer.start().answering("/v1/versions", three.toString())) {
            String dom = chromium.dumpDom(server.baseUrl(), DashboardAssertions.BUDGET);
            Map<String, String> body = DashboardAssertions.bodyAttributes(dom);
            assertThat(body).containsEntry("data-newest-status", "rejected").containsEntry("data-live", "knowgate-base@2");
            assertThat(DashboardAssertions.unescape(dom)).contains("knowgate-base@3 was rejected and never served: forgets 6.1%")
                    .contains("knowgate-base@2 stays live.").containsPattern("data-verdict=\"rejected\"");
        }
    }

    @Test
    void windowsUnderTheMinimumAreMarkedAndTimesShowSeconds() throws Exception {
        HeadlessChromium chromium = DashboardAssertions.chromiumOrSkip();
        try (DashboardFixtureServer server = DashboardFixtureServer.start()) {
            String dom = chromium.dumpDom(server.baseUrl(), DashboardAssertions.BUDGET);
            assertThat(DashboardAssertions.bodyAttributes(dom)).containsEntry("data-ready", "true")
                    .containsEntry("data-small-windows", "1").containsEntry("data-window-labels",
                            "09:00:00–09:00:15,09:00:15–09:00:30,09:00:30–09:00:45,09:00:45–09:01:00,09:01:00–09:01:15");
        }
    }

    @Test
    void showsAnErrorBannerWhenAnEndpointFails() throws Exception {
        HeadlessChromium chromium = DashboardAssertions.chromiumOrSkip();
        try (DashboardFixtureServer server = DashboardFixtureServer.start().failing("/v1/alerts", 503)) {
            String dom = chromium.dumpDom(server.baseUrl(), DashboardAssertions.BUDGET);

            Map<String, String> body = DashboardAssertions.bodyAttributes(dom);
            assertThat(body).as("never ready while an endpoint has not answered once")
                    .doesNotContainEntry("data-ready", "true")
                    .containsEntry("data-versions", "5")
                    .containsEntry("data-windows", "5");
            assertThat(body.get("data-error")).contains("v1/alerts answered HTTP 503");
            assertThat(dom).containsPattern("<div class=\"banner\" id=\"error-banner\" role=\"alert\">Could not refresh: "
                    + "v1/alerts answered HTTP 503");
        }
    }

    /** The canned alerts are what the monitor will send: each reads as the contracts' Alert. */
    @Test
    void cannedAlertsMatchTheAlertContract() throws Exception {
        JsonNode alerts = ContractJson.mapper().readTree(DashboardFixtureServer.fixture("dashboard/alerts.json"));
        assertThat(alerts.get("active")).hasSize(1);
        assertThat(alerts.get("resolved")).hasSize(1);
        for (JsonNode node : alerts.get("active")) {
            assertThat(ContractJson.read(node.toString(), Alert.class).status()).isEqualTo(AlertStatus.FIRING);
        }
        for (JsonNode node : alerts.get("resolved")) {
            assertThat(ContractJson.read(node.toString(), Alert.class).status()).isEqualTo(AlertStatus.RESOLVED);
        }
        // The canned versions and mix windows read as the records the monitor's API writes.
        JsonNode versions = ContractJson.mapper().readTree(DashboardFixtureServer.fixture("dashboard/versions.json"));
        assertThat(versions).hasSize(5);
        for (JsonNode node : versions) {
            ContractJson.read(node.toString(), dev.knowgate.monitor.rates.VersionRates.class);
        }
        JsonNode mix = ContractJson.mapper().readTree(DashboardFixtureServer.fixture("dashboard/mix.json"));
        assertThat(mix).hasSize(5);
        for (JsonNode node : mix) {
            ContractJson.read(node.toString(), dev.knowgate.monitor.stream.MixWindow.class);
        }
        ContractJson.read(DashboardFixtureServer.fixture("dashboard/settings.json"),
                dev.knowgate.monitor.api.MonitorResource.Settings.class);
    }
}
