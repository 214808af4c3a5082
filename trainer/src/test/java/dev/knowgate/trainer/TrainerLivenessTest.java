package dev.knowgate.trainer;

import dev.knowgate.testing.FreshDirResource;
import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * A round loop that stops on an error used to leave the trainer live (only readiness said so), a
 * process nobody restarts. Now liveness goes DOWN, naming the worker and the error, so the
 * orchestrator restarts it (the loop's recovery is its start-up path).
 */
@QuarkusTest
@TestProfile(TrainerLivenessTest.NoInitialModel.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = FreshDirResource.class, initArgs = @ResourceArg(name = "property", value = "knowgate.trainer.registry.dir"))
class TrainerLivenessTest {

    /** The initial model's folder does not exist: the round loop cannot start. */
    public static class NoInitialModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("knowgate.trainer.model.initial", "target/no-such-model");
        }
    }

    @Test
    void aRoundLoopThatStoppedOnAnErrorTurnsLivenessDown() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/live").then()
                .statusCode(503)
                .body("checks.find { it.name == 'workers' }.status", is("DOWN"))
                .body("checks.find { it.name == 'workers' }.data.'trainer-rounds'", containsString("gave up after 1 failures")));
    }
}
