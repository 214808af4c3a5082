package dev.knowgate.monitor;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.contracts.Timings;
import dev.knowgate.contracts.Verdict;
import dev.knowgate.monitor.dashboard.HeadlessChromium;
import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.Assumptions;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.GateEvidence;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.service.testing.ServiceOnBrokerChecks;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.FreshDirResource;
import dev.knowgate.testing.KafkaBrokerResource;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.testing.docs.DocumentedCurl;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * The monitor on a real broker, from a models record to a decision and fired alerts. The test plays
 * categorize-stream: it answers the probe evaluations the monitor requests on examples.submitted
 * with results on probes.results, v1 knowing every probe and v2 having forgotten a fifth of them.
 * The gate rejects v2 on its whole evaluation; an operator promotes it by hand (the API refuses
 * anyone else); once it serves, the baseline detector fires. Alerts reach a real HTTP receiver in
 * Alertmanager's format, after one refused attempt.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = FreshDirResource.class, initArgs = @ResourceArg(name = "property", value = "kafka-streams.state.dir"))
@QuarkusTestResource(WebhookReceiverResource.class)
class MonitorServiceTest {

    static final String BOOTSTRAP = KafkaBroker.shared().bootstrapServers();

    @Test
    void fromANewModelVersionToAFiredAlert() throws Exception {
        ServiceOnBrokerChecks.assertServiceUpOnBroker("monitor");
        // The probe set is on the compacted probes topic.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(TopicContents.committed(BOOTSTRAP, Topics.PROBES.name())).hasSize(300));

        announce(1);
        announce(2);
        Map<String, List<Example>> requested = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            requested.clear();
            for (ConsumerRecord<String, byte[]> r : TopicContents.committed(BOOTSTRAP, Topics.EXAMPLES_SUBMITTED.name())) {
                Header model = r.headers().lastHeader(ProbeHeaders.MODEL);
                assertThat(r.headers().lastHeader(ProbeHeaders.EVALUATION_ID)).isNotNull();
                Example e = ContractJson.read(r.value(), Example.class);
                assertThat(e.purpose()).isEqualTo(Purpose.PROBE);
                requested.computeIfAbsent(new String(model.value(), StandardCharsets.UTF_8), k -> new java.util.ArrayList<>()).add(e);
            }
            assertThat(requested.keySet()).containsExactlyInAnyOrder("knowgate-base@1", "knowgate-base@2");
            assertThat(requested.get("knowgate-base@1")).hasSize(300);
            assertThat(requested.get("knowgate-base@2")).hasSize(300);
        });

        answer(1, requested.get("knowgate-base@1"), 0);
        answer(2, requested.get("knowgate-base@2"), 60); // 60 of 300 forgotten: 20%, far above the gate's 3%

        // The gate: v1, the base, was promoted as announced; v2 is rejected on its whole evaluation.
        List<ModelDecision> decided = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(MonitorServiceTest::decisions, l -> l.size() >= 2);
        assertThat(decided).extracting(ModelDecision::key, ModelDecision::status).containsExactly(
                tuple("knowgate-base@1", DecisionStatus.PROMOTED), tuple("knowgate-base@2", DecisionStatus.REJECTED));
        GateEvidence evidence = decided.get(1).evidence();
        assertThat(evidence.probesAnswered()).isEqualTo(300);
        assertThat(evidence.forgettingRate()).isEqualTo(0.2);
        assertThat(evidence.maxForgettingRate()).isEqualTo(0.03);
        Alert rejected = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> alerts().stream().filter(a -> a.kind() == AlertKind.CANDIDATE_REJECTED).findFirst(),
                        Optional::isPresent).orElseThrow();
        assertThat(rejected.modelVersion()).isEqualTo(2L);
        assertThat(alerts()).noneMatch(a -> a.kind() == AlertKind.BASELINE_EXCEEDED); // v2 never served
        given().get("/v1/versions").then().statusCode(200)
                .body("key", is(List.of("knowgate-base@1", "knowgate-base@2")))
                .body("status", is(List.of("base", "rejected"))).body("live", is(List.of(true, false)))
                .body("[1].forgettingRate", is(0.2f)).body("[1].accuracy", is(0.8f)).body("[0].accuracy", is(1.0f))
                .body("[1].probes", is(300)).body("[1].probesTotal", is(300));

        // An operator overrides the gate by hand; without the right key nothing changes.
        String url = "/v1/versions/knowgate-base/2/promote";
        given().contentType("application/json").body("{\"reason\":\"x\"}").post(url).then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", is("Bearer realm=\"knowgate\""));
        given().header("X-Api-Key", "not-a-key").contentType("application/json").body("{\"reason\":\"x\"}").post(url)
                .then().statusCode(401).contentType("application/problem+json");
        given().header("X-Api-Key", VIEWER_KEY).contentType("application/json").body("{\"reason\":\"x\"}").post(url)
                .then().statusCode(403).body("detail", is("the API key of viewer lacks the right 'operator'"));
        given().header("X-Api-Key", OPERATOR_KEY).contentType("application/json").body("{\"reason\":\"  \"}").post(url)
                .then().statusCode(422).body("type", is("https://knowgate.dev/problems/reason-required"));
        given().header("X-Api-Key", OPERATOR_KEY).contentType("application/json").body("{\"reason\":\"x\"}")
                .post("/v1/versions/knowgate-base/9/promote").then().statusCode(404);
        // The request docs/monitor.md shows, with this test's key and version.
        DocumentedCurl documented = DocumentedCurl.the(Path.of("../docs/monitor.md"), "/promote");
        var request = given();
        for (var h : documented.headers().entrySet()) {
            request = request.header(h.getKey(), h.getValue().replace("$OPERATOR_KEY", OPERATOR_KEY));
        }
        assertThat(documented.path()).isEqualTo("/v1/versions/knowgate-base/4/promote");
        request.body(documented.body()).request(documented.method(), documented.path().replace("/4/", "/2/")).then()
                .statusCode(202).body("decidedBy", is("operator:oncall")).body("status", is("promoted"))
                .body("evidence.forgettingRate", is(0.2f));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/v1/versions").then().body("live", is(List.of(false, true)))
                        .body("[1].decision.decidedBy", is("operator:oncall")));
        given().get("/v1/decisions").then().statusCode(200).body("decidedBy", is(List.of("monitor", "monitor", "operator:oncall")));

        // Served now: the baseline detector fires on it, and the rejection alert resolves.
        List<Alert> fired = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(MonitorServiceTest::alerts, l -> l.stream().anyMatch(a -> a.kind() == AlertKind.BASELINE_EXCEEDED));
        Alert baseline = fired.stream().filter(a -> a.kind() == AlertKind.BASELINE_EXCEEDED).findFirst().orElseThrow();
        assertThat(baseline.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(baseline.modelVersion()).isEqualTo(2L);
        assertThat(baseline.value()).isEqualTo(0.2);
        assertThat(baseline.statistic()).isNull();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(alerts())
                .anyMatch(a -> a.kind() == AlertKind.CANDIDATE_REJECTED && a.status() == AlertStatus.RESOLVED));

        mix();
        given().get("/v1/alerts").then().statusCode(200).body("active.kind", is(List.of("baseline_exceeded")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(WebhookReceiverResource.ACCEPTED)
                .anySatisfy(body -> assertThat(body).contains("\"alertname\":\"KnowgateBaselineExceeded\"")
                        .contains("\"version\":\"2\"")));
        assertThat(WebhookReceiverResource.ACCEPTED).anySatisfy(body -> assertThat(body)
                .contains("\"alertname\":\"KnowgateCandidateRejected\""));
        assertThat(WebhookReceiverResource.REQUESTS.get()).isGreaterThan(WebhookReceiverResource.ACCEPTED.size());
        // Still firing: posted to Alertmanager again, so that it does not expire there.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(WebhookReceiverResource.ACCEPTED.stream()
                .filter(body -> body.contains(baseline.id())).count()).isGreaterThanOrEqualTo(2));
        dashboardShowsTheRun();
        // Alert delivery runs supervised: liveness names it (and goes DOWN if it is given up on).
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'workers' }.data.'alert-webhooks'", is("running"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(given().get("/q/metrics").then()
                .statusCode(200).extract().asString())
                .contains("knowgate_monitor_forgetting_rate{model=\"knowgate-base\",service=\"monitor\",version=\"2\"} 0.2")
                .contains("knowgate_monitor_live_version{model=\"knowgate-base\",service=\"monitor\"} 2.0"));
    }

    static final String OPERATOR_KEY = "oncall-test-key-0123456789";
    static final String VIEWER_KEY = "viewer-test-key-0123456789";

    private static List<Alert> alerts() {
        return TopicContents.committed(BOOTSTRAP, Topics.ALERTS.name()).stream()
                .map(r -> ContractJson.read(r.value(), Alert.class)).toList();
    }

    private static List<ModelDecision> decisions() {
        return TopicContents.committed(BOOTSTRAP, Topics.MODELS_DECISIONS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelDecision.class)).toList();
    }

    @TestHTTPResource("/")
    URL dashboard;

    /** The dashboard in a real headless Chromium: it loads, draws the charts from this run's data, and a screenshot is kept. */
    private void dashboardShowsTheRun() throws Exception {
        Optional<HeadlessChromium> chromium = HeadlessChromium.find();
        Assumptions.assumeTrue(chromium.isPresent(), "no Chromium installed (Debian's chromium package): dashboard not checked");
        String dom = chromium.get().dumpDom(dashboard.toString(), Duration.ofSeconds(10));
        assertThat(dom).contains("data-ready=\"true\"").contains("data-versions=\"2\"")
                .contains("data-windows=\"4\"").contains("data-active-alerts=\"1\"")
                .contains("knowgate-base@2 forgets").contains("<canvas id=\"versionsChart\"")
                .contains("<canvas id=\"mixChart\"").doesNotContain("Could not refresh");
        Path png = chromium.get().screenshot(dashboard.toString(), Path.of("target", "dashboard-service.png"), 1400, 1000,
                Duration.ofSeconds(10));
        assertThat(Files.size(png)).isGreaterThan(20_000);
        assertThat(Files.readAllBytes(png)).startsWith(new byte[]{(byte) 0x89, 'P', 'N', 'G'});
    }

    /** Verdicts on incoming examples over three minutes, for the category mix (the last window stays open). */
    private static void mix() throws Exception {
        Instant t = Instant.parse("2026-11-22T09:00:00Z");
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int minute = 0; minute < 4; minute++) {
                for (int i = 0; i < 20; i++) {
                    Category c = Category.values()[(i + minute) % 4];
                    String id = "ex-mix-" + minute + "-" + i;
                    Example e = new Example(1, id, "Where was X born?", "Y", List.of(), "birthplace", "X", null, null, null, null,
                            Purpose.TRAINING);
                    Verdict v = Verdict.builder().exampleId(id).model("knowgate-base").modelVersion(1).category(c)
                            .pGreedy(0.5).pSampled(0.5).method(SlickMethod.EXACT).prompts(10).shots(4).samplesPerPrompt(16)
                            .temperature(0.5).topK(40)
                            .promptSets(PromptSharing.PER_EXAMPLE).exemplarPool("birthplace").fallback(false)
                            .timings(new Timings(0, 0, 0)).computedAt(t).evidence(null).build();
                    CategorizedExample ce = new CategorizedExample(e, v, c == Category.UNKNOWN ? Route.QUARANTINED : Route.ACCEPTED);
                    p.send(new ProducerRecord<>(Topics.EXAMPLES_CATEGORIZED.name(), null, t.plusSeconds(60L * minute + i).toEpochMilli(),
                            id, ContractJson.write(ce))).get();
                }
            }
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/v1/mix").then().statusCode(200).body("size()", is(4)));
    }

    private static void announce(long version) throws Exception {
        ModelVersion v = new ModelVersion(SchemaVersions.CURRENT, "knowgate-base", version, version > 1 ? version - 1 : null,
                "knowgate-gpt", List.of(new ModelFile("model.onnx", "0".repeat(64), 1)), "Q: {question} A:", "<eoa>",
                Instant.now(), null, "/registry/knowgate-base/" + version);
        send(Topics.MODELS.name(), v.key(), ContractJson.write(v));
    }

    /** Results for every requested probe under {@code version}; the first {@code wrong} are answered wrongly. */
    private static void answer(long version, List<Example> probes, int wrong) throws Exception {
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < probes.size(); i++) {
                boolean right = i >= wrong;
                ProbeResult r = new ProbeResult(probes.get(i).id(), "eval-" + version, "knowgate-base", version,
                        right ? Category.HIGHLY_KNOWN : Category.WEAKLY_KNOWN, right ? 1 : 0, 0.5, right, Instant.now());
                p.send(new ProducerRecord<>(Topics.PROBES_RESULTS.name(), r.probeId(), ContractJson.write(r))).get();
            }
        }
    }

    private static void send(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP), new StringSerializer(),
                new ByteArraySerializer());
    }
}
