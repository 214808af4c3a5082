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
 * {@link DashboardFixtureServer} (the page, Chart.js from its WebJar, and the three endpoints' JSON
 * from src/test/resources/dashboard). Skipped where no Chromium is installed.
 */
class DashboardPageTest {

    static final String ALERT_MESSAGE = "Forgetting rate of knowgate-base@3 is 11.0%, above the 8.0% threshold";

    @Test
    void drawsVersionsMixAlertsAndTransitions() throws Exception {
        DashboardAssertions.chromiumOrSkip();
        try (DashboardFixtureServer server = DashboardFixtureServer.start()) {
            String dom = DashboardAssertions.assertDashboard(server.baseUrl(), 3, 5, 1, ALERT_MESSAGE,
                    Path.of("target", "dashboard.png"));

            Map<String, String> body = DashboardAssertions.bodyAttributes(dom);
            assertThat(body).containsEntry("data-resolved-alerts", "1")
                    .containsEntry("data-transitions", "knowgate-base@3");
            // The resolved alert, with its resolution time; the newest version's transition matrix.
            assertThat(dom).contains("Share of Unknown examples rose for 3 windows in a row")
                    .contains("2026-11-22 09:04:00Z")
                    .contains("knowgate-base@3 against its baseline knowgate-base@2");
            assertThat(DashboardAssertions.countRows(dom, "resolved-alerts", "resolved")).isEqualTo(1);
            // HighlyKnown -> HighlyKnown under version 3, and the error banner stays hidden.
            assertThat(dom).contains(">171<");
            assertThat(dom).containsPattern("id=\"error-banner\"[^>]*hidden");
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
                    .containsEntry("data-versions", "3")
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
        assertThat(ContractJson.mapper().readTree(DashboardFixtureServer.fixture("dashboard/versions.json"))).hasSize(3);
        assertThat(ContractJson.mapper().readTree(DashboardFixtureServer.fixture("dashboard/mix.json"))).hasSize(5);
    }
}
