package dev.knowgate.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.net.URI;
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
    private static final Pattern CURL = Pattern.compile("```sh\\n(curl .*?)\\n# (\\d{3}) (.*?)\\n```", Pattern.DOTALL);
    private static final Pattern HEADER = Pattern.compile("-H \"([^:]+): ([^\"]*)\"");
    private static final Pattern DATA = Pattern.compile("-d '([^']*)'");
    private static final Pattern URL = Pattern.compile("(http://\\S+)");

    @Test
    void theCurlExampleGetsTheAnswerTheDocPrints() throws Exception {
        Matcher m = CURL.matcher(Files.readString(DOC));
        assertThat(m.find()).as("docs/ingest.md has a curl example with its answer").isTrue();
        String command = m.group(1).replace("\\\n", " ");
        RequestSpecification request = given();
        Matcher h = HEADER.matcher(command);
        while (h.find()) {
            request = request.header(h.group(1), h.group(2).replace("$KEY", IngestApiTest.ALICE));
        }
        Matcher d = DATA.matcher(command);
        Matcher u = URL.matcher(command);
        assertThat(d.find() && u.find()).as("the example has a body and a URL").isTrue();

        Response response = request.body(d.group(1).getBytes(StandardCharsets.UTF_8)).post(URI.create(u.group(1)).getPath());

        assertThat(response.statusCode()).isEqualTo(Integer.parseInt(m.group(2)));
        // "..." in the doc's answer stands for what differs per example (the content id).
        String printed = Pattern.quote(m.group(3)).replace("...", "\\E[A-Za-z0-9-]+\\Q");
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
