package dev.knowgate.categorize;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.QuarantinePage;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.service.testing.ServiceOnBrokerChecks;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.FreshDirResource;
import dev.knowgate.testing.KafkaBrokerResource;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * The categorize-stream service on a real broker: ready with the shipped model, categorizes what
 * arrives on examples.submitted, answers GET /v1/verdicts/{id}; a candidate announced on the models
 * topic answers its probe evaluations under itself and serves verdicts only once models.decisions
 * promotes it; a rejected or tampered one never serves.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = FreshDirResource.class, initArgs = @ResourceArg(name = "property", value = "kafka-streams.state.dir"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CategorizeStreamServiceTest {

    static final FactWorld WORLD = FactWorld.generate(WorldConfig.preset("standard", 42L));
    /** The registry and trusted key that application.properties' test profile names. */
    static final TestRegistry REGISTRY;

    static {
        try {
            REGISTRY = TestRegistry.create(Path.of("target/test-registry"), Path.of("target/test-registry-keys"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void startsOnARealBrokerWithTopicsHealthAndMetricsAndTheShippedModel() throws Exception {
        ServiceOnBrokerChecks.assertServiceUpOnBroker("categorize-stream");
        given().get("/q/health/ready").then().body("checks.name", hasItem("live-model"));
        // The models watcher runs supervised: liveness names it (and goes DOWN if it is given up on).
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'workers' }.data.'models-watcher'", is("running"));
    }

    @Test
    @Order(2)
    void categorizesWhatArrivesAndAnswersWhatBecameOfAnExample() {
        List<Example> examples = WORLD.finetunePool().subList(0, 20).stream().map(Fact::toExample).toList();
        send(examples);
        Set<String> ids = examples.stream().map(Example::id).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(90)).until(() -> categorized(ids).size() == ids.size());

        Example first = examples.get(0);
        CategorizedExample verdict = categorized(Set.of(first.id())).get(0);
        given().get("/v1/verdicts/" + first.id()).then().statusCode(200)
                .body("exampleId", is(first.id()))
                .body("verdicts[0].verdict.model", is("knowgate-base"))
                .body("verdicts[0].verdict.modelVersion", is(1))
                .body("verdicts[0].verdict.category", is(verdict.verdict().category().wireName()))
                .body("verdicts[0].route", is(verdict.route().wireName()));
        given().get("/v1/verdicts/ex-000000000000000000000000").then().statusCode(404)
                .contentType("application/problem+json").body("status", is(404));
    }

    /**
     * A curator's submission is answered from the submissions store, counted as the verdicts came,
     * with one line per example; only to its curator (or an admin), and never without a key.
     */
    @Test
    @Order(3)
    void aCuratorSeesWhatBecameOfASubmissionAndNobodyElseDoes() {
        List<Example> examples = WORLD.finetunePool().subList(100, 112).stream()
                .map(f -> f.toExample().withCurator("mira").withSubmission("sub-service-test")).toList();
        send(examples);
        Set<String> ids = examples.stream().map(Example::id).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(90)).until(() -> categorized(ids).size() == ids.size());
        List<CategorizedExample> verdicts = categorized(ids);
        long unknown = verdicts.stream().filter(c -> c.verdict().category() == Category.UNKNOWN).count();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("X-Api-Key", "mira-test-key")
                .get("/v1/submissions/sub-service-test").then().statusCode(200).body("pending", is(0)));
        given().header("Authorization", "Bearer mira-test-key").get("/v1/submissions/sub-service-test").then()
                .statusCode(200).contentType("application/json")
                .body("curator", is("mira")).body("examples", is(12)).body("records", is(12))
                .body("categorized", is(12)).body("rejected", is(0))
                .body("byModel.'knowgate-base@1'", is(12))
                .body("byRoute.quarantined", unknown == 0 ? org.hamcrest.Matchers.nullValue() : is((int) unknown));
        String lines = given().header("X-Api-Key", "mira-test-key").get("/v1/submissions/sub-service-test/examples")
                .then().statusCode(200).contentType("application/x-ndjson").extract().asString();
        List<SubmissionOutcome> outcomes = lines.lines().map(l -> ContractJson.read(l, SubmissionOutcome.class)).toList();
        assertThat(outcomes).extracting(SubmissionOutcome::exampleId).containsExactlyInAnyOrderElementsOf(ids);
        for (CategorizedExample c : verdicts) {
            SubmissionOutcome o = outcomes.stream().filter(x -> x.exampleId().equals(c.example().id())).findFirst().orElseThrow();
            assertThat(o.category()).isEqualTo(c.verdict().category());
            assertThat(o.pSampled()).isEqualTo(c.verdict().pSampled());
            assertThat(o.route()).isEqualTo(c.route());
        }

        given().get("/v1/submissions/sub-service-test").then().statusCode(401)
                .contentType("application/problem+json").body("status", is(401));
        given().header("X-Api-Key", "not-a-key").get("/v1/submissions/sub-service-test").then().statusCode(401);
        // Another curator's name space: the same id is not theirs, and mira's is not theirs to read.
        given().header("X-Api-Key", "ola-test-key").get("/v1/submissions/sub-service-test").then().statusCode(404)
                .body("title", is("No such submission"));
        given().header("X-Api-Key", "ola-test-key").queryParam("curator", "mira").get("/v1/submissions/sub-service-test")
                .then().statusCode(403).contentType("application/problem+json").body("detail", containsString("'admin'"));
        given().header("X-Api-Key", "lead-test-key").queryParam("curator", "mira").get("/v1/submissions/sub-service-test")
                .then().statusCode(200).body("categorized", is(12));
        given().header("X-Api-Key", "mira-test-key").get("/v1/submissions/has%20space").then().statusCode(400)
                .body("title", is("Not a submission id"));
    }

    /**
     * The quarantine as a queue: a curator lists their quarantined examples with the model's own
     * answers, releases, drops and amends them; each decision is written once to quarantine.decisions
     * and applied once by the stream (a release to examples.released, an amendment judged as a new
     * example); another curator neither sees nor decides on them, and bad requests are problem documents.
     */
    @Test
    @Order(4)
    void aCuratorReviewsTheQuarantineAndEachDecisionIsAppliedOnce() {
        List<Example> examples = neverSeenFacts().limit(5)
                .map(f -> f.toExample().withCurator("mira").withSubmission("sub-queue-test")).toList();
        send(examples);
        Set<String> ids = ids(examples);
        await().atMost(Duration.ofSeconds(90)).until(() -> categorized(ids).size() == ids.size());
        List<Example> unknown = categorized(ids).stream().filter(c -> c.route() == dev.knowgate.contracts.Route.QUARANTINED)
                .map(CategorizedExample::example).toList();
        assertThat(unknown).as("facts never seen in pre-training are quarantined").hasSizeGreaterThanOrEqualTo(3);

        given().get("/v1/quarantine").then().statusCode(401).contentType("application/problem+json");
        QuarantinePage page = ContractJson.read(given().header("X-Api-Key", "mira-test-key")
                .queryParam("submission", "sub-queue-test").get("/v1/quarantine").then().statusCode(200)
                .contentType("application/json").extract().asString(), QuarantinePage.class);
        assertThat(page.total()).isEqualTo(unknown.size());
        assertThat(page.entries()).allSatisfy(e -> {
            assertThat(e.state()).isEqualTo(QuarantineEntry.State.OPEN);
            assertThat(e.model()).isEqualTo("knowgate-base@1");
            assertThat(e.evidence()).as("the model's own answer").isNotNull();
        });
        given().header("X-Api-Key", "mira-test-key").queryParam("submission", "sub-queue-test").queryParam("limit", "1")
                .get("/v1/quarantine").then().statusCode(200).body("total", is(unknown.size())).body("entries.size()", is(1));
        given().header("X-Api-Key", "ola-test-key").queryParam("submission", "sub-queue-test").get("/v1/quarantine")
                .then().statusCode(200).body("total", is(0));
        given().header("X-Api-Key", "ola-test-key").queryParam("curator", "mira").get("/v1/quarantine").then().statusCode(403);
        given().header("X-Api-Key", "lead-test-key").queryParam("curator", "mira").queryParam("submission", "sub-queue-test")
                .get("/v1/quarantine").then().statusCode(200).body("total", is(unknown.size()));
        for (String bad : new String[] {"state=bogus", "limit=0", "olderThan=soon"}) {
            String[] kv = bad.split("=");
            given().header("X-Api-Key", "mira-test-key").queryParam(kv[0], kv[1]).get("/v1/quarantine").then()
                    .statusCode(400).contentType("application/problem+json").body("detail", containsString(kv[1]));
        }

        Example released = unknown.get(0);
        Example dropped = unknown.get(1);
        Example amended = unknown.get(2);
        String release = "{\"action\":\"release\",\"reason\":\"a new fact; teach it\",\"decisionId\":\"svc-release-1\"}";
        given().header("X-Api-Key", "ola-test-key").contentType("application/json").body(release)
                .post("/v1/quarantine/" + released.id() + "/decisions").then().statusCode(403);
        given().contentType("application/json").body(release).post("/v1/quarantine/" + released.id() + "/decisions")
                .then().statusCode(401);
        given().header("X-Api-Key", "mira-test-key").contentType("application/json").body(release)
                .post("/v1/quarantine/" + released.id() + "/decisions").then().statusCode(202)
                .header("Location", "/v1/quarantine/" + released.id())
                .body("action", is("release")).body("decidedBy", is("mira")).body("verdictModel", is("knowgate-base@1"));
        // Sent again (a client that lost the answer): the same decision, not a second one.
        int again = given().header("X-Api-Key", "mira-test-key").contentType("application/json").body(release)
                .post("/v1/quarantine/" + released.id() + "/decisions").then().body("decisionId", is("svc-release-1"))
                .extract().statusCode();
        assertThat(again).isIn(200, 202);
        given().header("X-Api-Key", "mira-test-key").contentType("application/json")
                .body("{\"action\":\"drop\",\"reason\":\"a duplicate of another example\"}")
                .post("/v1/quarantine/" + dropped.id() + "/decisions").then().statusCode(202);
        given().header("X-Api-Key", "mira-test-key").contentType("application/json")
                .body("{\"action\":\"amend\",\"reason\":\"the gold answer was a typo\",\"answer\":\"Morrow\"}")
                .post("/v1/quarantine/" + amended.id() + "/decisions").then().statusCode(202)
                .body("amendedId", org.hamcrest.Matchers.startsWith("ex-"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("X-Api-Key", "mira-test-key")
                .get("/v1/quarantine/" + dropped.id()).then().statusCode(200).body("state", is("dropped")));
        given().header("X-Api-Key", "mira-test-key").contentType("application/json")
                .body("{\"action\":\"release\",\"reason\":\"changed my mind\"}")
                .post("/v1/quarantine/" + dropped.id() + "/decisions").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("dropped"));
        for (String bad : new String[] {"{\"action\":\"release\"}", "{\"action\":\"return\",\"reason\":\"x\"}",
                "{\"action\":\"amend\",\"reason\":\"x\"}", "not json"}) {
            given().header("X-Api-Key", "mira-test-key").contentType("application/json").body(bad)
                    .post("/v1/quarantine/" + unknown.get(unknown.size() - 1).id() + "/decisions").then().statusCode(400)
                    .contentType("application/problem+json");
        }
        given().header("X-Api-Key", "mira-test-key").contentType("application/json").body(release)
                .post("/v1/quarantine/ex-000000000000000000000000/decisions").then().statusCode(404);

        await().atMost(Duration.ofSeconds(60)).until(() -> TopicContents.committed(KafkaBroker.shared().bootstrapServers(),
                Topics.EXAMPLES_RELEASED.name()).stream().map(r -> ContractJson.read(r.value(), CategorizedExample.class))
                .anyMatch(c -> c.example().id().equals(released.id()) && c.route() == dev.knowgate.contracts.Route.RELEASED));
        String amendedId = given().header("X-Api-Key", "mira-test-key").get("/v1/quarantine/" + amended.id()).then()
                .statusCode(200).body("state", is("amended")).extract().path("decisions[0].amendedId");
        await().atMost(Duration.ofSeconds(90)).until(() -> !categorized(Set.of(amendedId)).isEmpty());
        assertThat(categorized(Set.of(amendedId)).get(0).example().answer()).isEqualTo("Morrow");

        List<QuarantineDecision> written = TopicContents.committed(KafkaBroker.shared().bootstrapServers(),
                Topics.QUARANTINE_DECISIONS.name()).stream().map(r -> ContractJson.read(r.value(), QuarantineDecision.class))
                .filter(d -> ids.contains(d.exampleId())).toList();
        assertThat(written).as("one record per decision").hasSize(3)
                .extracting(QuarantineDecision::action).containsExactlyInAnyOrder(QuarantineDecision.Action.RELEASE,
                        QuarantineDecision.Action.DROP, QuarantineDecision.Action.AMEND);
    }

    @io.quarkus.test.common.http.TestHTTPResource("/review/")
    java.net.URL reviewPage;

    /**
     * The review page in a real headless Chromium (Selenium, Debian's chromedriver): with a curator's
     * key it lists the curator's quarantined examples with the model's answers; Release and Amend
     * record decisions that the stream applies (the released row leaves the open queue); a decision
     * without a reason and a wrong key are refused on the page.
     */
    @Test
    @Order(5)
    void theReviewPageListsTheQueueAndRecordsDecisionsInARealBrowser() {
        List<Example> examples = neverSeenFacts().skip(5).limit(4)
                .map(f -> f.toExample().withCurator("mira").withSubmission("sub-page-test")).toList();
        send(examples);
        Set<String> ids = ids(examples);
        await().atMost(Duration.ofSeconds(90)).until(() -> categorized(ids).size() == ids.size());
        List<String> unknown = categorized(ids).stream().filter(c -> c.route() == dev.knowgate.contracts.Route.QUARANTINED)
                .map(c -> c.example().id()).sorted().toList();
        assertThat(unknown).hasSizeGreaterThanOrEqualTo(2);

        org.openqa.selenium.chrome.ChromeDriver browser = ReviewBrowser.start();
        try {
            org.openqa.selenium.support.ui.WebDriverWait wait = new org.openqa.selenium.support.ui.WebDriverWait(browser,
                    Duration.ofSeconds(30));
            browser.get(reviewPage + "#key=mira-test-key&submission=sub-page-test");
            wait.until(d -> "listed".equals(d.findElement(org.openqa.selenium.By.tagName("body")).getAttribute("data-state")));
            assertThat(browser.getCurrentUrl()).as("the key leaves the address bar").doesNotContain("mira-test-key");
            List<org.openqa.selenium.WebElement> rows = browser.findElements(org.openqa.selenium.By.cssSelector("#rows tr"));
            assertThat(rows).extracting(r -> r.getAttribute("data-example-id")).containsExactlyInAnyOrderElementsOf(unknown);
            assertThat(browser.findElement(org.openqa.selenium.By.id("summary")).getText())
                    .isEqualTo(unknown.size() + " of " + unknown.size() + " open quarantined examples, oldest first");
            assertThat(rows.get(0).getText()).containsPattern("(none|confident_other|near_match) [01]\\.\\d\\d");

            String released = rows.get(0).getAttribute("data-example-id");
            rows.get(0).findElement(org.openqa.selenium.By.cssSelector("button.release")).click();
            wait.until(d -> d.findElement(org.openqa.selenium.By.id("error-banner")).isDisplayed());
            assertThat(browser.findElement(org.openqa.selenium.By.id("error-banner")).getText()).contains("Give a reason");

            browser.findElement(org.openqa.selenium.By.id("reason")).sendKeys("a new fact; teach it");
            browser.findElement(org.openqa.selenium.By.cssSelector("tr[data-example-id='" + released + "'] button.release")).click();
            wait.until(d -> d.findElement(org.openqa.selenium.By.id("result")).getText().contains("release of " + released + " recorded"));
            wait.until(d -> d.findElements(org.openqa.selenium.By.cssSelector("tr[data-example-id='" + released + "']")).isEmpty());

            String amended = unknown.stream().filter(id -> !id.equals(released)).findFirst().orElseThrow();
            org.openqa.selenium.WebElement row = browser.findElement(org.openqa.selenium.By.cssSelector("tr[data-example-id='" + amended + "']"));
            row.findElement(org.openqa.selenium.By.cssSelector("input.amend-answer")).sendKeys("Morrow");
            row.findElement(org.openqa.selenium.By.cssSelector("button.amend")).click();
            wait.until(d -> d.findElement(org.openqa.selenium.By.id("result")).getText().contains("resubmitted as ex-"));

            browser.get(reviewPage + "#key=not-a-key");
            wait.until(d -> "error".equals(d.findElement(org.openqa.selenium.By.tagName("body")).getAttribute("data-state")));
            assertThat(browser.findElement(org.openqa.selenium.By.id("error-banner")).getText()).contains("HTTP 401");
        } finally {
            browser.quit();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TopicContents.committed(
                KafkaBroker.shared().bootstrapServers(), Topics.QUARANTINE_DECISIONS.name()).stream()
                .map(r -> ContractJson.read(r.value(), QuarantineDecision.class)).filter(d -> ids.contains(d.exampleId())).toList())
                .hasSize(2).allMatch(d -> d.decidedBy().equals("mira") && d.decisionId().startsWith("web-")));
    }

    @Test
    @Order(6)
    void aCandidateIsEvaluatedUnderItselfAndServesOnlyOncePromotedAndARejectedOneNever() throws Exception {
        ModelVersion v2 = announce(REGISTRY.copyAs("knowgate-base", 2));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'live-model' }.data.candidates", is("knowgate-base@2")));

        // A candidate: its probes are answered under v2, training examples are still judged by v1.
        List<Fact> probes = WORLD.probes().subList(0, 5);
        sendProbes(probes, "knowgate-base@2", "eval-v2");
        List<Example> before = examples(20, 25);
        send(before);
        await().atMost(Duration.ofSeconds(60)).until(() -> probeResults("eval-v2").size() == probes.size()
                && categorized(ids(before)).size() == before.size());
        assertThat(probeResults("eval-v2")).allMatch(r -> r.modelKey().equals("knowgate-base@2"));
        assertThat(categorized(ids(before))).allMatch(c -> c.verdict().modelKey().equals("knowgate-base@1"));

        // Promoted: v2 is live and judges what arrives next.
        decide(v2, DecisionStatus.PROMOTED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2")));
        List<Example> after = examples(25, 30);
        send(after);
        await().atMost(Duration.ofSeconds(60)).until(() -> categorized(ids(after)).size() == after.size());
        assertThat(categorized(ids(after))).allMatch(c -> c.verdict().modelKey().equals("knowgate-base@2"));

        // v3 is announced and rejected: it answered its probes, and never judges an example.
        ModelVersion v3 = announce(REGISTRY.copyAs("knowgate-base", 3));
        sendProbes(probes, "knowgate-base@3", "eval-v3");
        await().atMost(Duration.ofSeconds(60)).until(() -> probeResults("eval-v3").size() == probes.size());
        assertThat(probeResults("eval-v3")).allMatch(r -> r.modelKey().equals("knowgate-base@3"));
        decide(v3, DecisionStatus.REJECTED);
        // An evaluation of v2 asked after v3 was published is still answered under v2.
        sendProbes(probes, "knowgate-base@2", "eval-v2-again");
        List<Example> later = examples(30, 35);
        send(later);
        await().atMost(Duration.ofSeconds(60)).until(() -> categorized(ids(later)).size() == later.size()
                && probeResults("eval-v2-again").size() == probes.size());
        assertThat(probeResults("eval-v2-again")).allMatch(r -> r.modelKey().equals("knowgate-base@2"));
        assertThat(categorized(null)).noneMatch(c -> c.verdict().modelKey().equals("knowgate-base@3"));
        given().get("/q/health/ready").then().body("checks.find { it.name == 'live-model' }.data.model",
                is("knowgate-base@2"));

        // A tampered v4 is refused: its probes are rejected, and promoting it changes nothing.
        Path v4Dir = REGISTRY.copyAs("knowgate-base", 4);
        ModelVersion v4 = ModelFolder.open(v4Dir).manifest().withLocation(v4Dir.toString());
        byte[] onnx = Files.readAllBytes(v4Dir.resolve("model.onnx"));
        onnx[onnx.length / 3] ^= 0x10;
        Files.write(v4Dir.resolve("model.onnx"), onnx);
        publish(Topics.MODELS.name(), v4.key(), ContractJson.write(v4));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(given().get("/q/metrics").asString())
                .contains("knowgate_categorize_model_refused_total{reason=\"checksum_mismatch\""));
        sendProbes(probes.subList(0, 1), "knowgate-base@4", "eval-v4");
        decide(v4, DecisionStatus.PROMOTED);
        await().atMost(Duration.ofSeconds(60)).until(() -> TopicContents.committed(KafkaBroker.shared().bootstrapServers(),
                Topics.EXAMPLES_REJECTED.name()).stream().map(r -> ContractJson.read(r.value(), RejectedRecord.class))
                .anyMatch(r -> r.reason().equals("model_refused") && r.message().contains("eval-v4")));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2"));
    }

    /**
     * Overlong UTF-8 used to be decoded as '/' and categorized, bidi overrides and zero-width answers
     * too; now each is rejected with its reason and the stream goes on.
     */
    @Test
    @Order(7)
    void bytesThatAreNotUtf8AndIdsOrTextBreakingTheRulesAreRejectedWithTheirReasonAndTheStreamGoesOn() {
        byte[] overlong = "{\"id\":\"..\u0000\u0000..etc\",\"question\":\"Where?\",\"answer\":\"Pell\"}"
                .getBytes(StandardCharsets.UTF_8);
        overlong[9] = (byte) 0xC0; // the two NULs become C0 AF: an overlong '/'
        overlong[10] = (byte) 0xAF;
        byte[] utf16 = ContractJson.writeString(Example.of("Where was Ovo born?", "Pell")).getBytes(StandardCharsets.UTF_16);
        publish(Topics.EXAMPLES_SUBMITTED.name(), "hostile-overlong", overlong);
        publish(Topics.EXAMPLES_SUBMITTED.name(), "hostile-utf16", utf16);
        // Valid UTF-8, but an id outside the alphabet and an answer of only zero-width characters.
        publish(Topics.EXAMPLES_SUBMITTED.name(), "hostile-bidi-id", ("{\"id\":\"ex-\u202Egnp.exe\",\"question\":"
                + "\"Where?\",\"answer\":\"Pell\"}").getBytes(StandardCharsets.UTF_8));
        publish(Topics.EXAMPLES_SUBMITTED.name(), "hostile-invisible-answer", ("{\"question\":\"Where?\","
                + "\"answer\":\"\u200B\u200D\"}").getBytes(StandardCharsets.UTF_8));
        List<Example> after = examples(35, 37);
        send(after);

        await().atMost(Duration.ofSeconds(60)).until(() -> categorized(ids(after)).size() == after.size());
        List<RejectedRecord> rejected = TopicContents.committed(KafkaBroker.shared().bootstrapServers(),
                        Topics.EXAMPLES_REJECTED.name()).stream()
                .filter(r -> r.key() != null && r.key().startsWith("hostile-"))
                .map(r -> ContractJson.read(r.value(), RejectedRecord.class)).toList();
        assertThat(rejected).hasSize(4).allSatisfy(r -> assertThat(r.sourceTopic()).isEqualTo(Topics.EXAMPLES_SUBMITTED.name()));
        assertThat(rejected).filteredOn(r -> r.reason().equals("invalid_json")).hasSize(2)
                .allSatisfy(r -> assertThat(r.message()).contains("not valid UTF-8"))
                .as("the overlong one names its field").anyMatch(r -> "id".equals(r.field()));
        assertThat(rejected).filteredOn(r -> r.reason().equals("invalid_value"))
                .extracting(RejectedRecord::field).containsExactlyInAnyOrder("id", "answer");
        assertThat(categorized(null)).noneMatch(c -> c.example().id().contains("etc"));
    }

    /**
     * A probe header on a training example used to park it until the version named came, forever for
     * a version that never comes. Now the header is ignored there; a probe for such a version expires
     * after batch.probe-max-wait (20 s in the test profile) with a clear rejection.
     */
    @Test
    @Order(8)
    void aProbeHeaderNeverHoldsATrainingExampleAndAProbeForAVersionThatNeverComesExpires() {
        Example training = examples(37, 38).get(0);
        Fact probe = WORLD.probes().get(10);
        long sent = System.nanoTime();
        ProducerRecord<String, byte[]> headed = new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), training.id(),
                ContractJson.write(training));
        headed.headers().add(ProbeHeaders.MODEL, "knowgate-base@99".getBytes(StandardCharsets.UTF_8));
        headed.headers().add(ProbeHeaders.EVALUATION_ID, "eval-never".getBytes(StandardCharsets.UTF_8));
        write(List.of(headed));
        sendProbes(List.of(probe), "knowgate-base@99", "eval-never");

        await().atMost(Duration.ofSeconds(15)).until(() -> categorized(Set.of(training.id())).size() == 1);
        assertThat(categorized(Set.of(training.id())).get(0).verdict().modelKey()).isEqualTo("knowgate-base@2");
        assertThat(given().get("/q/metrics").asString()).contains("knowgate_categorize_probe_headers_ignored_total");

        await().atMost(Duration.ofSeconds(60)).until(() -> rejectedWithReason("model_unknown").stream()
                .anyMatch(r -> r.message().contains("eval-never")));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        RejectedRecord expired = rejectedWithReason("model_unknown").stream()
                .filter(r -> r.message().contains("eval-never")).findFirst().orElseThrow();
        assertThat(expired.message()).contains("knowgate-base@99", "not announced", "PT20S", "probe-max-wait");
        assertThat(expired.field()).isEqualTo("header " + ProbeHeaders.MODEL);
        assertThat(probeResults("eval-never")).isEmpty();
    }

    /**
     * A correctly sealed version whose logits do not cover its tokenizer's ids used to go live, and
     * every example after it was rejected with a Gather error. Now it is refused when it loads, stays
     * not-live even when promoted, and is counted under knowgate_categorize_model_refused_total{reason="vocabulary_mismatch"}.
     */
    @Test
    @Order(9)
    void aVersionWhoseLogitsDoNotCoverItsTokenizerNeverGoesLive() throws Exception {
        Path dir = REGISTRY.withTokenizerBeyondTheModel("knowgate-base", 5, 3);
        ModelVersion v5 = announce(dir);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(given().get("/q/metrics").asString())
                .contains("knowgate_categorize_model_refused_total{reason=\"vocabulary_mismatch\""));
        decide(v5, DecisionStatus.PROMOTED);
        List<Example> after = examples(38, 40);
        send(after);
        await().atMost(Duration.ofSeconds(60)).until(() -> categorized(ids(after)).size() == after.size());
        assertThat(categorized(ids(after))).allMatch(c -> c.verdict().modelKey().equals("knowgate-base@2"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2"));
    }

    /**
     * Anyone who can write to the models topic could announce a version from any folder, and it went
     * live once promoted. Now a version loads only from the registry's own folder for it, signed by a
     * trusted key: a copy outside the registry (signed with the trusted key, even), an unsigned one in
     * the registry, and one signed by another key are each refused, and promoting them changes nothing.
     */
    @Test
    @Order(10)
    void versionsFromOutsideTheRegistryOrNotSignedByATrustedKeyNeverGoLive() throws Exception {
        Path outside = TestModels.copyAs(Files.createTempDirectory("forged").resolve("knowgate-base").resolve("6"),
                "knowgate-base", 6);
        REGISTRY.signer().sign(outside);
        Path unsigned = TestModels.copyAs(REGISTRY.folder("knowgate-base", 7), "knowgate-base", 7);
        Path otherKey = TestModels.copyAs(REGISTRY.folder("knowgate-base", 8), "knowgate-base", 8);
        Path keys = Files.createTempDirectory("other-key");
        dev.knowgate.model.registry.ManifestSigner.generate(keys.resolve("k"), keys.resolve("k.pub")).sign(otherKey);
        List<ModelVersion> forged = List.of(announce(outside), announce(unsigned), announce(otherKey));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(given().get("/q/metrics").asString())
                .contains("knowgate_categorize_model_refused_total{reason=\"outside_registry\"",
                        "knowgate_categorize_model_refused_total{reason=\"unsigned\"",
                        "knowgate_categorize_model_refused_total{reason=\"bad_signature\""));
        forged.forEach(v -> decide(v, DecisionStatus.PROMOTED));
        List<Example> after = examples(40, 42);
        send(after);
        await().atMost(Duration.ofSeconds(60)).until(() -> categorized(ids(after)).size() == after.size());
        assertThat(categorized(ids(after))).allMatch(c -> c.verdict().modelKey().equals("knowgate-base@2"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2"));
    }

    /**
     * A model imported and announced (bin/import-model --bootstrap-servers) is the base of a lineage of
     * its own, and the monitor promotes it at once. It used to become the live model here, while the
     * trainer went on fine-tuning its own lineage on the examples the other model had filtered, and its
     * next promotion switched the live model back. Now only the lineage of knowgate.categorize.model.initial
     * judges training examples; the other one answers the probe evaluations asked of it.
     */
    @Test
    @Order(11)
    void aPromotedVersionOfAnotherLineageAnswersItsProbesButNeverJudgesTrainingExamples() throws Exception {
        ModelVersion imported = announce(REGISTRY.copyAs("my-imported-model", 1));
        decide(imported, DecisionStatus.PROMOTED);
        List<Fact> probes = WORLD.probes().subList(5, 8);
        sendProbes(probes, "my-imported-model@1", "eval-imported");
        List<Example> after = examples(42, 45);
        send(after);
        await().atMost(Duration.ofSeconds(60)).until(() -> probeResults("eval-imported").size() == probes.size()
                && categorized(ids(after)).size() == after.size());
        assertThat(probeResults("eval-imported")).allMatch(r -> r.modelKey().equals("my-imported-model@1"));
        assertThat(categorized(ids(after))).allMatch(c -> c.verdict().modelKey().equals("knowgate-base@2"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2"));
    }

    private static List<RejectedRecord> rejectedWithReason(String reason) {
        return TopicContents.committed(KafkaBroker.shared().bootstrapServers(), Topics.EXAMPLES_REJECTED.name())
                .stream().map(r -> ContractJson.read(r.value(), RejectedRecord.class))
                .filter(r -> r.reason().equals(reason)).toList();
    }

    /**
     * Facts never seen in pre-training (the model does not know them: quarantined), from the pool's
     * second thousand, which no other test here sends: an example sent twice is judged once.
     */
    private static java.util.stream.Stream<Fact> neverSeenFacts() {
        return WORLD.finetunePool().subList(1000, 2000).stream().filter(f -> f.exposure() == 0);
    }

    private static List<Example> examples(int from, int to) {
        return WORLD.finetunePool().subList(from, to).stream().map(Fact::toExample).toList();
    }

    private static Set<String> ids(List<Example> examples) {
        return examples.stream().map(Example::id).collect(Collectors.toSet());
    }

    private static ModelVersion announce(Path folder) throws Exception {
        ModelVersion v = ModelFolder.open(folder).manifest().withLocation(folder.toString());
        publish(Topics.MODELS.name(), v.key(), ContractJson.write(v));
        return v;
    }

    private static void decide(ModelVersion v, DecisionStatus status) {
        ModelDecision d = new ModelDecision(v.name(), v.version(), v.parent(), status, ModelDecision.BY_MONITOR,
                "test", null, Instant.now());
        publish(Topics.MODELS_DECISIONS.name(), d.key(), ContractJson.write(d));
    }

    private static void sendProbes(List<Fact> probes, String model, String evaluation) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (Fact f : probes) {
            Example e = f.toExample();
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), e.id(),
                    ContractJson.write(e));
            r.headers().add(ProbeHeaders.MODEL, model.getBytes(StandardCharsets.UTF_8));
            r.headers().add(ProbeHeaders.EVALUATION_ID, evaluation.getBytes(StandardCharsets.UTF_8));
            records.add(r);
        }
        write(records);
    }

    private static List<ProbeResult> probeResults(String evaluation) {
        return TopicContents.committed(KafkaBroker.shared().bootstrapServers(), Topics.PROBES_RESULTS.name())
                .stream().map(r -> ContractJson.read(r.value(), ProbeResult.class))
                .filter(r -> r.evaluationId().equals(evaluation)).toList();
    }

    private static List<CategorizedExample> categorized(Set<String> ids) {
        return TopicContents.committed(KafkaBroker.shared().bootstrapServers(), Topics.EXAMPLES_CATEGORIZED.name())
                .stream().map(r -> ContractJson.read(r.value(), CategorizedExample.class))
                .filter(c -> ids == null || ids.contains(c.example().id())).toList();
    }

    private static void send(List<Example> examples) {
        write(examples.stream().map(e -> new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), e.id(),
                ContractJson.write(e))).toList());
    }

    private static void publish(String topic, String key, byte[] value) {
        write(List.of(new ProducerRecord<>(topic, key, value)));
    }

    private static void write(List<ProducerRecord<String, byte[]>> records) {
        TopicContents.write(KafkaBroker.shared().bootstrapServers(), records);
    }
}
