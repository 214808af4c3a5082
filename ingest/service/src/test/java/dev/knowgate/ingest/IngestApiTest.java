package dev.knowgate.ingest;

import dev.knowgate.contracts.ExampleIds;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/** The REST API on a real broker: what lands, how it is keyed and stamped, and what is refused. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class IngestApiTest {

    static final String ALICE = "alice-key";
    static final String NDJSON = "application/x-ndjson";

    /** A fresh fact, so tests never see each other's examples on the shared topic. */
    static String example(String extra) {
        String n = UUID.randomUUID().toString().substring(0, 8);
        return "{\"question\":\"Where was Vel " + n + " born?\",\"answer\":\"Tessaly " + n + "\""
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static ValidatableResponse post(String key, String contentType, String body, String path) {
        return given().header("Authorization", "Bearer " + key).contentType(contentType)
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(path).then();
    }

    @Test
    void oneExampleLandsKeyedByItsIdWithTheCuratorStamped() {
        Instant before = Instant.now();
        String body = example("\"relation\":\"birthplace\",\"curator\":\"someone-else\"");

        List<String> ids = post(ALICE, "application/json", body, "/v1/examples")
                .statusCode(202).body("accepted", is(1)).extract().jsonPath().getList("ids");

        var landed = SubmittedTopic.committed(Set.copyOf(ids));
        assertThat(landed).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo(ids.get(0)).isEqualTo(s.example().id());
            assertThat(s.example().curator()).as("stamped from the key, not the body").isEqualTo("alice");
            assertThat(s.example().submittedAt()).isBetween(before, Instant.now());
            assertThat(s.example().relation()).isEqualTo("birthplace");
            assertThat(s.example().purpose()).isEqualTo(Purpose.TRAINING);
        });
    }

    /**
     * A request's examples carry the submission its header names, or one ingest makes up; the 202
     * gives it back in the body and the header, and a header that is not an id is refused.
     */
    @Test
    void everyExampleCarriesItsRequestsSubmission() {
        String body = example("\"submission\":\"from-the-body\"");
        var named = given().header("Authorization", "Bearer " + ALICE).header("Knowgate-Submission", "birthplaces-7")
                .contentType("application/json").body(body).post("/v1/examples").then().statusCode(202)
                .header("Knowgate-Submission", "birthplaces-7").body("submission", is("birthplaces-7")).extract();
        String id = named.jsonPath().getString("ids[0]");
        assertThat(SubmittedTopic.committed(Set.of(id))).singleElement()
                .satisfies(s -> assertThat(s.example().submission()).as("stamped, not the body's").isEqualTo("birthplaces-7"));

        String made = post(ALICE, NDJSON, example("") + "\n", "/v1/examples/bulk").statusCode(202)
                .extract().jsonPath().getString("submission");
        assertThat(made).matches("sub-[0-9a-f-]{36}");

        given().header("Authorization", "Bearer " + ALICE).header("Knowgate-Submission", "../etc")
                .contentType("application/json").body(example("")).post("/v1/examples").then().statusCode(400)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.startsWith("header Knowgate-Submission: "));
    }

    @Test
    void anArrayLandsWhole() {
        String body = IntStream.range(0, 5).mapToObj(i -> example("")).collect(Collectors.joining(",", "[", "]"));

        List<String> ids = post(ALICE, "application/json", body, "/v1/examples")
                .statusCode(202).body("accepted", is(5)).extract().jsonPath().getList("ids");

        assertThat(SubmittedTopic.committed(Set.copyOf(ids))).extracting(SubmittedTopic.Submitted::key)
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void bulkNdjsonLandsWholeWithIdsInLineOrder() {
        List<String> lines = IntStream.range(0, 2000).mapToObj(i -> example("")).toList();

        List<String> ids = post(ALICE, NDJSON, String.join("\n", lines) + "\n\n", "/v1/examples/bulk")
                .statusCode(202).body("accepted", is(2000)).extract().jsonPath().getList("ids");

        assertThat(ids).hasSize(2000).doesNotHaveDuplicates();
        assertThat(ids.get(7)).isEqualTo(ExampleIds.of(questionOf(lines.get(7)), answerOf(lines.get(7))));
        assertThat(SubmittedTopic.committed(Set.copyOf(ids))).hasSize(2000);
    }

    @Test
    void aRetriedExampleKeepsItsId() {
        String body = example("");
        String first = post(ALICE, "application/json", body, "/v1/examples").statusCode(202)
                .extract().jsonPath().getString("ids[0]");
        String again = post(ALICE, "application/json", body.replace("?\",", "? \","), "/v1/examples").statusCode(202)
                .extract().jsonPath().getString("ids[0]");

        assertThat(again).as("the id is a hash of the normalised content").isEqualTo(first);
    }

    @Test
    void anArrayWithInvalidItemsIsRefusedWholeAndListsEachBadItem() {
        String good = example("");
        String body = "[" + good + ",{\"question\":\"Who?\"}," + example("") + ",{\"question\":\"Q?\",\"answer\":\"\"}]";

        post(ALICE, "application/json", body, "/v1/examples")
                .statusCode(422)
                .contentType("application/problem+json")
                .body("type", is("https://knowgate.dev/problems/invalid-examples"))
                .body("status", is(422))
                .body("detail", containsString("none was accepted"))
                .body("errors", hasSize(2))
                .body("errors[0].index", is(1)).body("errors[0].field", is("answer"))
                .body("errors[0].reason", is("missing_field"))
                .body("errors[1].index", is(3)).body("errors[1].field", is("answer"))
                .body("errors[1].line", nullValue());

        String goodId = ExampleIds.of(questionOf(good), answerOf(good));
        assertThat(SubmittedTopic.uncommitted(Set.of(goodId))).as("nothing was even sent").isEmpty();
    }

    @Test
    void aBulkBodyWithABadLineIsAbortedAndNothingOfItIsVisible() {
        List<String> lines = new java.util.ArrayList<>(IntStream.range(0, 300).mapToObj(i -> example("")).toList());
        lines.add(250, "{\"question\":\"Where?\",\"answer\":\"Here\",\"purpose\":\"eval\"}");
        Set<String> validIds = lines.stream().filter(l -> !l.contains("\"eval\""))
                .map(l -> ExampleIds.of(questionOf(l), answerOf(l))).collect(Collectors.toSet());

        post(ALICE, NDJSON, String.join("\n", lines), "/v1/examples/bulk")
                .statusCode(422)
                .body("errors", hasSize(1))
                .body("errors[0].line", is(251))
                .body("errors[0].field", is("purpose"))
                .body("errors[0].reason", is("invalid_value"));

        assertThat(SubmittedTopic.committed(validIds)).as("downstream sees none of the request").isEmpty();

        lines.remove(250);
        post(ALICE, NDJSON, String.join("\n", lines), "/v1/examples/bulk").statusCode(202).body("accepted", is(300));
        assertThat(SubmittedTopic.committed(validIds)).as("the corrected retry lands once, the aborted copies never")
                .hasSize(300).extracting(SubmittedTopic.Submitted::key).doesNotHaveDuplicates();
    }

    @Test
    void duplicatesInsideOneRequestAreRefused() {
        String one = example("");
        post(ALICE, NDJSON, one + "\n" + example("") + "\n" + one.replace("born?", "BORN?"), "/v1/examples/bulk")
                .statusCode(422)
                .body("errors[0].line", is(3)).body("errors[0].field", is("id"))
                .body("errors[0].reason", is("duplicate"))
                .body("errors[0].message", containsString("line 1"));
    }

    @Test
    void tooManyItemsOrLinesIsTooLarge() {
        String array = IntStream.range(0, 1001).mapToObj(i -> example("")).collect(Collectors.joining(",", "[", "]"));
        post(ALICE, "application/json", array, "/v1/examples").statusCode(413)
                .contentType("application/problem+json").body("detail", containsString("at most 1000"));

        String bulk = IntStream.range(0, 10_001).mapToObj(i -> example("")).collect(Collectors.joining("\n"));
        post(ALICE, NDJSON, bulk, "/v1/examples/bulk").statusCode(413).body("detail", containsString("10000"));
    }

    @Test
    void theApiIsDocumented() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/v1/examples/bulk")).body(containsString("apiKey"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void acceptedAndRejectedExamplesAreCounted() {
        post(ALICE, "application/json", example(""), "/v1/examples").statusCode(202);
        post(ALICE, "application/json", "{\"question\":\"Q?\"}", "/v1/examples").statusCode(422);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics)
                    .containsPattern("knowgate_ingest_examples_accepted_total\\{curator=\"alice\".*} [1-9]")
                    .containsPattern("knowgate_ingest_examples_rejected_total\\{reason=\"missing_field\".*} [1-9]")
                    .contains("knowgate_ingest_request_seconds");
        });
    }

    static String questionOf(String json) {
        return field(json, "question");
    }

    static String answerOf(String json) {
        return field(json, "answer");
    }

    private static String field(String json, String name) {
        return dev.knowgate.contracts.json.ContractJson.read(json, com.fasterxml.jackson.databind.JsonNode.class)
                .get(name).asText();
    }
}
