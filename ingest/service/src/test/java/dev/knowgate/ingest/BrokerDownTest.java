package dev.knowgate.ingest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

/** With no broker to acknowledge, nothing is accepted: 503 with Retry-After, never a 2xx. */
@QuarkusTest
@TestProfile(BrokerDownTest.NoBroker.class)
class BrokerDownTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "kafka.bootstrap.servers", "127.0.0.1:1",
                    "knowgate.ingest.publisher.timeout", "2s");
        }
    }

    @Test
    void answers503WithRetryAfterAndIsNotReady() {
        given().header("X-Api-Key", "alice-key").contentType("application/json")
                .body("{\"question\":\"Where was Ada Quill born?\",\"answer\":\"Morrow\"}")
                .post("/v1/examples").then()
                .statusCode(503)
                .header("Retry-After", notNullValue())
                .contentType("application/problem+json")
                .body("type", is("https://knowgate.dev/problems/broker-unavailable"))
                .body("detail", containsString("nothing was accepted"));

        given().get("/q/health/ready").then().statusCode(503);
    }
}
