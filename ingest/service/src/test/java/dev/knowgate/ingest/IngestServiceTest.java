package dev.knowgate.ingest;

import dev.knowgate.service.testing.ServiceOnBrokerChecks;
import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The ingest service on a real broker: topics created, ready, live, metrics. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class IngestServiceTest {

    @Test
    void startsOnARealBrokerWithTopicsHealthAndMetrics() throws Exception {
        ServiceOnBrokerChecks.assertServiceUpOnBroker("ingest");
    }
}
