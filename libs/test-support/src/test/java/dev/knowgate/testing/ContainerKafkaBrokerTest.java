package dev.knowgate.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Testcontainers variant: runs only where a Docker engine answers, skipped (never failed) elsewhere. */
class ContainerKafkaBrokerTest {

    @Test
    void containerBrokerRoundTrip() throws Exception {
        assumeTrue(ContainerKafkaBroker.dockerAvailable(), "no Docker engine reachable");
        try (KafkaBroker broker = ContainerKafkaBroker.start()) {
            BrokerRoundTrip.check(broker.bootstrapServers());
        }
    }
}
