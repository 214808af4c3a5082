package dev.knowgate.e2e.containers;

import dev.knowgate.testing.ContainerEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each service image refuses to start, with a message naming the setting, when configuration it
 * cannot work without is missing: the broker address, ingest's keys file, the trainer's registry.
 * (That the same images start when it is given is {@link ContainerSystemEndToEndTest}.)
 */
class ServiceImageConfigurationTest {

    static final String BROKER = "KAFKA_BOOTSTRAP_SERVERS";

    @BeforeAll
    static void images() {
        ContainerEngine.assumeImages(Images.INGEST, Images.CATEGORIZE, Images.TRAINER, Images.MONITOR);
    }

    static Stream<Arguments> missingConfiguration() {
        return Stream.of(
                Arguments.of(Images.INGEST, Map.of(), "ingest: refusing to start: KAFKA_BOOTSTRAP_SERVERS is not set"),
                Arguments.of(Images.INGEST, Map.of(BROKER, "kafka:9092"),
                        "ingest: refusing to start: KNOWGATE_INGEST_AUTH_KEYS_FILE is not set"),
                Arguments.of(Images.INGEST, Map.of(BROKER, "kafka:9092", "KNOWGATE_INGEST_AUTH_KEYS_FILE", "/etc/knowgate/nothing-mounted"),
                        "ingest: refusing to start: KNOWGATE_INGEST_AUTH_KEYS_FILE=/etc/knowgate/nothing-mounted is not a readable file"),
                Arguments.of(Images.CATEGORIZE, Map.of(),
                        "categorize-stream: refusing to start: KAFKA_BOOTSTRAP_SERVERS is not set"),
                Arguments.of(Images.TRAINER, Map.of(BROKER, "kafka:9092"),
                        "trainer: refusing to start: KNOWGATE_TRAINER_REGISTRY_DIR is not set"),
                Arguments.of(Images.TRAINER, Map.of(BROKER, "kafka:9092", "KNOWGATE_TRAINER_REGISTRY_DIR", "/opt/knowgate/models"),
                        "trainer: refusing to start: KNOWGATE_TRAINER_REGISTRY_DIR=/opt/knowgate/models is not a directory writable by uid 10001"),
                Arguments.of(Images.MONITOR, Map.of(), "monitor: refusing to start: KAFKA_BOOTSTRAP_SERVERS is not set"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("missingConfiguration")
    void refusesToStartWithAClearMessage(String image, Map<String, String> env, String message) throws Exception {
        Images.Exit exit = Images.runToExit(image, env, 60);
        assertThat(exit.output()).contains(message);
        // EX_CONFIG, before the JVM starts: nothing retries a broker that was never named.
        assertThat(exit.code()).as(exit.output()).isEqualTo(78);
        assertThat(exit.output()).doesNotContain("Quarkus");
    }
}
