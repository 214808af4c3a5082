package dev.knowgate.ingest;

import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class ApiKeyAuthTest {

    private static final String BODY = "{\"question\":\"Where was Ada Quill born?\",\"answer\":\"Morrow\"}";

    @Test
    void noKeyIsUnauthenticated() {
        given().contentType("application/json").body(BODY).post("/v1/examples").then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .contentType("application/problem+json")
                .body("type", is("https://knowgate.dev/problems/unauthenticated"));
    }

    @Test
    void anUnknownKeyIsUnauthenticated() {
        given().header("Authorization", "Bearer not-a-key").contentType("application/json").body(BODY)
                .post("/v1/examples").then().statusCode(401).body("detail", is("unknown API key"));
    }

    @Test
    void aKeyWithoutTheSubmitRightIsForbidden() {
        given().header("X-Api-Key", "carol-key").contentType("application/json").body(BODY)
                .post("/v1/examples").then().statusCode(403)
                .body("type", is("https://knowgate.dev/problems/forbidden"))
                .body("detail", containsString("carol"));
    }

    @Test
    void probesNeedTheirOwnRight() {
        String probe = "{\"question\":\"Where was Probe Vask born?\",\"answer\":\"Oldtown\",\"purpose\":\"probe\"}";

        given().header("X-Api-Key", "bob-key").contentType("application/json").body(probe)
                .post("/v1/examples").then().statusCode(403)
                .body("errors[0].field", is("purpose")).body("errors[0].reason", is("forbidden"));

        String id = given().header("X-Api-Key", "alice-key").contentType("application/json").body(probe)
                .post("/v1/examples").then().statusCode(202).extract().jsonPath().getString("ids[0]");
        assertThat(SubmittedTopic.committed(Set.of(id))).singleElement()
                .satisfies(s -> assertThat(s.example().curator()).isEqualTo("alice"));
    }

    @Test
    void bobStampsHisOwnName() {
        String id = given().header("Authorization", "bearer bob-key").contentType("application/json")
                .body("{\"question\":\"Where was Bob Quill born?\",\"answer\":\"Morrow\"}")
                .post("/v1/examples").then().statusCode(202).extract().jsonPath().getString("ids[0]");
        assertThat(SubmittedTopic.committed(Set.of(id))).singleElement()
                .satisfies(s -> assertThat(s.example().curator()).isEqualTo("bob"));
    }

    @Test
    void keysNeverAppearInTheLogs() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                // The test's own HTTP client (RestAssured's Apache HttpClient) logs the headers it sends;
                // it is not the service, so it is left out. Everything the service logs is kept.
                if (record.getLoggerName() != null && record.getLoggerName().startsWith("org.apache.http")) {
                    return;
                }
                lines.add(record.getLoggerName() + " " + record.getMessage() + " " + java.util.Arrays.toString(record.getParameters())
                        + " " + (record.getThrown() == null ? "" : record.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        Level previous = root.getLevel();
        root.addHandler(capture);
        root.setLevel(Level.ALL);
        try {
            for (String key : List.of("alice-key", "bob-key", "carol-key", "secret-unknown-key")) {
                given().header("X-Api-Key", key).contentType("application/json").body(BODY).post("/v1/examples");
                given().header("Authorization", "Bearer " + key).contentType("application/json")
                        .body("{\"question\":\"Q?\"}").post("/v1/examples");
            }
        } finally {
            root.removeHandler(capture);
            root.setLevel(previous);
        }
        assertThat(lines).as("refusals are logged, so the check below reads real lines")
                .anyMatch(l -> l.contains("unknown API key")).anyMatch(l -> l.contains("lacks the right"));
        assertThat(lines).noneMatch(l -> l.contains("alice-key") || l.contains("bob-key")
                || l.contains("carol-key") || l.contains("secret-unknown-key"));
    }
}
