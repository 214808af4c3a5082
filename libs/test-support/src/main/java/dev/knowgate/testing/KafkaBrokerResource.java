package dev.knowgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the shared real broker. Use with
 * {@code @QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)}
 * or per class; the broker outlives Quarkus restarts between test classes.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaBroker broker = KafkaBroker.shared();
        return Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                // Dev Services would try to start Docker containers.
                "quarkus.kafka.devservices.enabled", "false",
                "quarkus.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // The shared broker is stopped by its shutdown hook, after the last test class.
    }
}
