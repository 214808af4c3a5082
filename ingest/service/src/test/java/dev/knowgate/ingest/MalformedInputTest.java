package dev.knowgate.ingest;

import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/** A table of malformed requests, each with the answer it must get: status, type, and the item error. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class MalformedInputTest {

    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String OK = "{\"question\":\"Where was Ada Quill born?\",\"answer\":\"Morrow\"}";

    /** name, endpoint, content type, body, status, problem type slug, item position, field, reason. */
    static Stream<Arguments> cases() {
        return Stream.of(
                row("missing question", JSON, "{\"answer\":\"Morrow\"}", 422, "invalid-examples", 0, "question", "missing_field"),
                row("missing answer", JSON, "{\"question\":\"Q?\"}", 422, "invalid-examples", 0, "answer", "missing_field"),
                row("empty answer", JSON, "{\"question\":\"Q?\",\"answer\":\"\"}", 422, "invalid-examples", 0, "answer", null),
                row("blank answer", JSON, "{\"question\":\"Q?\",\"answer\":\"   \"}", 422, "invalid-examples", 0, "answer", null),
                row("null answer", JSON, "{\"question\":\"Q?\",\"answer\":null}", 422, "invalid-examples", 0, "answer", "missing_field"),
                row("question is a number", JSON, "{\"question\":42,\"answer\":\"A\"}", 422, "invalid-examples", 0, "question", "wrong_type"),
                row("aliases is a string", JSON, "{\"question\":\"Q?\",\"answer\":\"A\",\"aliases\":\"B\"}", 422, "invalid-examples", 0, "aliases", "wrong_type"),
                row("alias is a number", JSON, "{\"question\":\"Q?\",\"answer\":\"A\",\"aliases\":[\"B\",7]}", 422, "invalid-examples", 0, "aliases[1]", "wrong_type"),
                row("unknown purpose", JSON, "{\"question\":\"Q?\",\"answer\":\"A\",\"purpose\":\"eval\"}", 422, "invalid-examples", 0, "purpose", "invalid_value"),
                row("schemaVersion 2", JSON, "{\"schemaVersion\":2,\"question\":\"Q?\",\"answer\":\"A\"}", 422, "invalid-examples", 0, "schemaVersion", "unsupported_schema_version"),
                row("control character", JSON, "{\"question\":\"Q?\",\"answer\":\"A\\u0007B\"}", 422, "invalid-examples", 0, "answer", null),
                row("newline in question", JSON, "{\"question\":\"Q\\n?\",\"answer\":\"A\"}", 422, "invalid-examples", 0, "question", null),
                row("question too long", JSON, "{\"question\":\"" + "q".repeat(2001) + "\",\"answer\":\"A\"}", 422, "invalid-examples", 0, "question", "too_long"),
                row("submittedAt not a date", JSON, "{\"question\":\"Q?\",\"answer\":\"A\",\"submittedAt\":\"yesterday\"}", 422, "invalid-examples", 0, "submittedAt", null),
                row("item not an object", JSON, "[" + OK + ",42]", 422, "invalid-examples", 1, null, "wrong_type"),
                row("not JSON", JSON, "{\"question\":", 400, "malformed-body", null, null, null),
                row("duplicate key", JSON, "{\"question\":\"Q?\",\"question\":\"R?\",\"answer\":\"A\"}", 400, "malformed-body", null, null, null),
                row("trailing garbage", JSON, OK + " x", 400, "malformed-body", null, null, null),
                row("scalar body", JSON, "\"just a string\"", 400, "malformed-body", null, null, null),
                row("empty array", JSON, "[]", 400, "malformed-body", null, null, null),
                row("ndjson bad line", NDJSON, OK + "\n{\"question\":\"Q?\"}\n", 422, "invalid-examples", 2, "answer", "missing_field"),
                row("ndjson not JSON", NDJSON, OK + "\nnot json\n", 422, "invalid-examples", 2, null, "invalid_json"),
                row("ndjson line too long", NDJSON, "{\"question\":\"" + "q".repeat(70_000) + "\",\"answer\":\"A\"}", 422, "invalid-examples", 1, null, "too_long"),
                row("ndjson empty body", NDJSON, "\n\n", 400, "malformed-body", null, null, null),
                row("wrong content type", "text/plain", OK, 415, "unsupported-media-type", null, null, null));
    }

    private static Arguments row(String name, String contentType, String body, int status, String type,
                                 Integer position, String field, String reason) {
        return Arguments.of(name, contentType, body, status, type, position, field, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithAClearProblem(String name, String contentType, String body, int status, String type,
                                    Integer position, String field, String reason) {
        String path = NDJSON.equals(contentType) ? "/v1/examples/bulk" : "/v1/examples";
        ValidatableResponse response = given().header("X-Api-Key", IngestApiTest.ALICE)
                .contentType(contentType + "; charset=utf-8").body(body.getBytes(StandardCharsets.UTF_8))
                .post(path).then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("type", is("https://knowgate.dev/problems/" + type))
                .body("status", is(status));
        if (position != null) {
            String at = NDJSON.equals(contentType) ? "line" : "index";
            response.body("errors[0]." + at, is(position));
        }
        if (field != null) {
            response.body("errors[0].field", is(field));
        }
        if (reason != null) {
            response.body("errors[0].reason", is(reason));
        }
        if (status == 422) {
            response.body("errors[0].message", containsString(field == null ? "" : field));
        }
    }

    @org.junit.jupiter.api.Test
    void invalidUtf8IsRefused() {
        byte[] body = "{\"question\":\"Q?\",\"answer\":\"A\"}".getBytes(StandardCharsets.UTF_8);
        body[27] = (byte) 0xC3; // a lead byte followed by a quote: not UTF-8
        given().header("X-Api-Key", IngestApiTest.ALICE).contentType(JSON).body(body).post("/v1/examples")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("https://knowgate.dev/problems/malformed-body"));
    }
}
