package dev.knowgate.monitor;

import dev.knowgate.service.testing.ServiceOnBrokerChecks;
import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The monitor service on a real broker: topics created, ready, live, metrics. */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class MonitorServiceTest {

    @Test
    void startsOnARealBrokerWithTopicsHealthAndMetrics() throws Exception {
        ServiceOnBrokerChecks.assertServiceUpOnBroker("monitor");
    }
}
