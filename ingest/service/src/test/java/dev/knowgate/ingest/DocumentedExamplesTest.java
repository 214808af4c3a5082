package dev.knowgate.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.testing.KafkaBrokerResource;
import dev.knowgate.testing.docs.DocumentedCurl;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/ingest.md's examples, run against the service: the curl request gets the answer the doc
 * prints under it, and the 422 problem the doc shows is the one the service sends, byte for byte
 * once parsed.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class DocumentedExamplesTest {

    private static final Path DOC = Path.of("../../docs/ingest.md");
    @Test
    void theCurlExampleGetsTheAnswerTheDocPrints() throws Exception {
        DocumentedCurl curl = DocumentedCurl.the(DOC, "/v1/examples");
        assertThat(curl.printedStatus()).as("docs/ingest.md prints the answer under its curl example").isNotNull();
        RequestSpecification request = given();
        for (var h : curl.headers().entrySet()) {
            request = request.header(h.getKey(), h.getValue().replace("$KEY", IngestApiTest.ALICE));
        }

        Response response = request.body(curl.body().getBytes(StandardCharsets.UTF_8)).request(curl.method(), curl.path());

        assertThat(response.statusCode()).isEqualTo(curl.printedStatus());
        // "..." in the doc's answer stands for what differs per example (the content id).
        String printed = Pattern.quote(curl.printedAnswer()).replace("...", "\\E[A-Za-z0-9-]+\\Q");
        assertThat(response.asString()).matches(printed);
    }

    @Test
    void theProblemTheDocShowsIsTheOneTheServiceSends() throws Exception {
        Matcher m = Pattern.compile("```json\\n(\\{\"type\":\"https://knowgate.dev/problems/invalid-examples\".*?)\\n```",
                Pattern.DOTALL).matcher(Files.readString(DOC));
        assertThat(m.find()).as("docs/ingest.md shows the 422 problem").isTrue();
        JsonNode documented = new ObjectMapper().readTree(m.group(1));
        // The request it answers: four examples, the second without an answer, the fourth with a blank one.
        String body = "[" + IngestApiTest.example("") + ",{\"question\":\"Who wrote it?\"},"
                + IngestApiTest.example("") + ",{\"question\":\"Who wrote it?\",\"answer\":\"  \"}]";

        String answer = IngestApiTest.post(IngestApiTest.ALICE, "application/json", body, "/v1/examples")
                .statusCode(documented.get("status").asInt()).contentType("application/problem+json")
                .extract().asString();

        assertThat(new ObjectMapper().readTree(answer)).isEqualTo(documented);
    }
}
