package dev.knowgate.ingest;

import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Bytes and headers an attacker would send, against the real HTTP server: bodies that are not
 * UTF-8 (overlong '/' that used to be stored as "../"), other encodings, a missing Content-Type,
 * a body over the HTTP layer's limit. Each gets a problem document and nothing lands on the topic.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class HostileInputTest {

    private static final String PROBLEMS = "https://knowgate.dev/problems/";

    /** {"id":"..<C0 AF>..<E0 80 AF>etc-<n>","question":...,"answer":...}: decoded leniently, the id was "../../etc-n". */
    private static byte[] overlongId(String n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"id\":\"..".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[]{(byte) 0xC0, (byte) 0xAF});
        out.writeBytes("..".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF});
        out.writeBytes(("etc-" + n + "\",\"question\":\"Where was Ovo " + n + " born?\",\"answer\":\"Pell\"}")
                .getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void overlongUtf8IsRefusedOnBothEndpointsAndNeverStored() {
        String n = Long.toString(System.nanoTime());
        given().header("X-Api-Key", IngestApiTest.ALICE).contentType("application/json").body(overlongId(n))
                .post("/v1/examples").then().statusCode(400).contentType("application/problem+json")
                .body("type", is(PROBLEMS + "malformed-body"))
                .body("detail", containsString("not valid UTF-8"))
                .body("detail", containsString("'id'"));

        byte[] ok = IngestApiTest.example("").getBytes(StandardCharsets.UTF_8);
        byte[] bulk = concat(ok, "\n".getBytes(StandardCharsets.UTF_8), overlongId(n));
        given().header("X-Api-Key", IngestApiTest.ALICE).contentType("application/x-ndjson").body(bulk)
                .post("/v1/examples/bulk").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].line", is(2))
                .body("errors[0].field", is("id"))
                .body("errors[0].reason", is("invalid_json"))
                .body("errors[0].message", containsString("byte offset 9"));

        assertThat(SubmittedTopic.uncommitted(java.util.Set.of("../../etc-" + n))).as("never sent").isEmpty();
    }

    @Test
    void utf16AndUtf32BodiesAreRefusedWhateverTheHeaderSays() {
        String body = IngestApiTest.example("");
        for (String charset : List.of("UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32BE", "UTF-32LE")) {
            byte[] encoded = body.getBytes(Charset.forName(charset));
            // Declared honestly: the charset is refused before the body is read.
            given().header("X-Api-Key", IngestApiTest.ALICE).contentType("application/json; charset=" + charset)
                    .body(encoded).post("/v1/examples").then().statusCode(415)
                    .contentType("application/problem+json")
                    .body("type", is(PROBLEMS + "unsupported-media-type"))
                    .body("detail", containsString("must be UTF-8"));
            // Declared as UTF-8: the bytes are not.
            given().header("X-Api-Key", IngestApiTest.ALICE).contentType("application/json; charset=utf-8")
                    .body(encoded).post("/v1/examples").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", is(PROBLEMS + "malformed-body"));
            given().header("X-Api-Key", IngestApiTest.ALICE).contentType("application/x-ndjson")
                    .body(encoded).post("/v1/examples/bulk").then().statusCode(422)
                    .body("errors[0].reason", is("invalid_json"));
        }
    }

    @Test
    void theFrameworksOwnErrorsAreProblemDocumentsToo() {
        given().header("X-Api-Key", "alice-key").get("/v1/nothing-here").then().statusCode(404)
                .contentType("application/problem+json").body("type", is("https://knowgate.dev/problems/not-found"));
        given().header("X-Api-Key", "alice-key").delete("/v1/examples").then().statusCode(405)
                .contentType("application/problem+json")
                .body("type", is("https://knowgate.dev/problems/method-not-allowed"));
    }

    @Test
    void aRequestWithoutContentTypeGets415() throws IOException {
        byte[] body = IngestApiTest.example("").getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("/v1/examples", "/v1/examples/bulk")) {
            String response = raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + IngestApiTest.ALICE
                    + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n", body);
            assertThat(response).as(path).startsWith("HTTP/1.1 415")
                    .containsIgnoringCase("content-type: application/problem+json")
                    .contains(PROBLEMS + "unsupported-media-type", "no Content-Type");
        }
    }

    @Test
    void aBodyOverTheHttpLayersLimitGets413WithAProblemDocument() throws IOException {
        // 17M is quarkus.http.limits.max-body-size; the header alone is enough for the server to refuse.
        long tooMany = 17L * 1024 * 1024 + 1;
        for (String path : List.of("/v1/examples", "/v1/examples/bulk")) {
            String response = raw("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + IngestApiTest.ALICE
                    + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + tooMany + "\r\n\r\n", new byte[0]);
            assertThat(response).as(path).startsWith("HTTP/1.1 413")
                    .containsIgnoringCase("content-type: application/problem+json")
                    .contains(PROBLEMS + "too-large", "at most " + (17L * 1024 * 1024) + " bytes");
        }
    }

    /** The id alphabet and the invisible-text rule of docs/contracts.md, applied by the REST API: field, JSON member. */
    static Stream<Arguments> hostileIdsAndText() {
        return Stream.of(
                Arguments.of("id", "\"id\":\"../../etc/passwd\""),
                Arguments.of("id", "\"id\":\"https://evil.example/x\""),
                Arguments.of("id", "\"id\":\"ex-\\u202Egnp.exe\""),
                Arguments.of("id", "\"id\":\"ex-\\u200B1\""),
                Arguments.of("id", "\"id\":\"\\uFEFFex-1\""),
                Arguments.of("id", "\"id\":\"\u0435x-1\""),
                Arguments.of("answer", "\"answer\":\"\\u200B\\u200D\\u2060\""),
                Arguments.of("answer", "\"answer\":\"Pell\\u202E\""),
                Arguments.of("question", "\"question\":\"Where\\u2066 was Ovo born?\""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("hostileIdsAndText")
    void idsOutsideTheAlphabetAndInvisibleOrBidiTextAreRefused(String field, String member) {
        String body = "{" + member + (field.equals("question") ? "" : ",\"question\":\"Where was Ovo born?\"")
                + (field.equals("answer") ? "" : ",\"answer\":\"Pell\"") + "}";
        given().header("X-Api-Key", IngestApiTest.ALICE).contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/examples").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", is(field))
                .body("errors[0].reason", is("invalid_value"));
    }

    /** One request on a raw socket, so that no client library adds or fixes a header. */
    private static String raw(String head, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    response.write(buffer, 0, n);
                    if (complete(response.toString(StandardCharsets.UTF_8))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                // whatever came is the answer
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    /** Headers and a Content-Length body fully read. */
    private static boolean complete(String response) {
        int end = response.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(response.substring(0, end));
        return m.find() && response.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        out.writeBytes(c);
        return out.toByteArray();
    }
}
