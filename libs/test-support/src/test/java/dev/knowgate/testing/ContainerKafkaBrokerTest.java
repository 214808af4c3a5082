package dev.knowgate.testing;

import org.junit.jupiter.api.Test;

/**
 * The Testcontainers variant, on the project's own broker image: runs where a container engine
 * answers and the image is built (required in CI: {@link ContainerEngine}), skipped elsewhere.
 */
class ContainerKafkaBrokerTest {

    @Test
    void containerBrokerRoundTrip() throws Exception {
        ContainerEngine.assumeImages(ContainerKafkaBroker.image());
        try (KafkaBroker broker = ContainerKafkaBroker.start()) {
            BrokerRoundTrip.check(broker.bootstrapServers());
        }
    }
}
