package dev.knowgate.service;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Ready only while the broker answers. Bounded by {@code knowgate.health.broker-timeout}: Quarkus'
 * own Kafka check waits up to the admin client's 60 s default, longer than any readiness probe.
 */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements HealthCheck {

    static final String NAME = "kafka-broker";

    private final Map<String, Object> kafkaConfig;
    private final Duration timeout;
    private volatile Admin admin;

    @Inject
    public BrokerReadinessCheck(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                                @ConfigProperty(name = "knowgate.health.broker-timeout", defaultValue = "2s") Duration timeout) {
        this.kafkaConfig = kafkaConfig;
        this.timeout = timeout;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            Collection<Node> nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            return HealthCheckResponse.named(NAME).up()
                    .withData("nodes", nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(",")))
                    .build();
        } catch (ExecutionException e) {
            return down(e.getCause().getMessage());
        } catch (TimeoutException e) {
            return down("no answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted");
        }
    }

    private static HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named(NAME).down().withData("reason", String.valueOf(reason)).build();
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> config = TopicBootstrap.adminConfig(kafkaConfig);
                    config.put("client.id", "readiness");
                    admin = Admin.create(config);
                }
                current = admin;
            }
        }
        return current;
    }

    void onStop(@Observes ShutdownEvent event) {
        Admin current = admin;
        if (current != null) {
            current.close(Duration.ofSeconds(2));
        }
    }
}
