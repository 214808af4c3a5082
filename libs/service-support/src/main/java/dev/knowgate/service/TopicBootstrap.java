package dev.knowgate.service;

import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.resilience.Sleeper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes sure the topic catalogue exists, at every start of every service. It retries in the
 * background until the broker answers, so a service can start before its broker; readiness stays
 * DOWN until then ({@link TopicsReadinessCheck}).
 */
@ApplicationScoped
public class TopicBootstrap {

    private static final Logger LOG = Logger.getLogger(TopicBootstrap.class);

    /** Where provisioning stands: not yet done (with the last error, if any), or done. */
    public sealed interface State {
        record Pending(String lastError) implements State {
        }

        record Done(TopicProvisioner.Report report) implements State {
        }

        record Disabled() implements State {
        }
    }

    private final AtomicReference<State> state = new AtomicReference<>(new State.Pending(null));
    private final TopicsConfig config;
    private final Map<String, Object> kafkaConfig;
    private volatile Thread worker;

    @Inject
    public TopicBootstrap(TopicsConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
    }

    // First of the start-up observers (it only starts a thread): a start-up step that waits for a
    // topic, such as the monitor's lease, must not wait for a provisioning that has not begun.
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (!config.provision()) {
            state.set(new State.Disabled());
            return;
        }
        Thread w = new Thread(this::provisionUntilDone, "topic-bootstrap");
        w.setDaemon(true);
        worker = w;
        w.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Thread w = worker;
        if (w != null) {
            w.interrupt();
        }
    }

    public State state() {
        return state.get();
    }

    private void provisionUntilDone() {
        try (Admin admin = Admin.create(adminConfig(kafkaConfig))) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, config.replicationFactor(), config.timeout());
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    TopicProvisioner.Report report = provisioner.ensure(Topics.ALL);
                    state.set(new State.Done(report));
                    LOG.infof("topics ready: %d created, %d already there", report.created().size(),
                            report.existing().size());
                    return;
                } catch (RuntimeException e) {
                    state.set(new State.Pending(e.getMessage()));
                    LOG.warnf("topics not provisioned yet (%s); retrying in %s", e.getMessage(), config.retryInterval());
                    Sleeper.THREAD.sleep(config.retryInterval());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The service's Kafka settings (TLS, SASL included) narrowed to what an Admin client understands. */
    static Map<String, Object> adminConfig(Map<String, Object> kafkaConfig) {
        Map<String, Object> admin = new HashMap<>();
        kafkaConfig.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                admin.put(key, value);
            }
        });
        admin.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "topic-bootstrap");
        return admin;
    }
}
