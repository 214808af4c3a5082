package dev.knowgate.monitor.lease;

import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.service.KafkaClientConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The monitor runs as one acting instance. Its decisions to ask for an evaluation, its webhooks and
 * its REST API read local state, so two acting instances would each ask and each alert. The lease is
 * the single partition of models.decisions, owned by one member of the consumer group
 * {@code lease.group} (cooperative sticky assignment: a member that joins later never takes it from
 * the holder). Nothing is read (the partition is paused) and nothing is committed.
 *
 * <p>The lease is taken first of all start-up steps after topic provisioning: until it holds the
 * lease, the instance blocks its start (no Kafka Streams, no probe requests, no HTTP) and is a
 * standby. A holder that loses the lease without stopping (its session expired: a long pause, cut off
 * from the broker) halts at once, because another instance may already act.
 */
@ApplicationScoped
public class MonitorLease {

    private static final Logger LOG = Logger.getLogger(MonitorLease.class);
    /** Exit status of a holder that lost the lease (EX_SOFTWARE): restarted, it waits as a standby. */
    static final int LOST_EXIT = 70;

    private final MonitorConfig.Lease config;
    private final Map<String, Object> kafkaConfig;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean held;
    private volatile boolean stopping;
    private volatile Thread keeper;

    @Inject
    public MonitorLease(MonitorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config.lease();
        this.kafkaConfig = kafkaConfig;
    }

    // Right after topic provisioning (PLATFORM_BEFORE) and before every other start-up step.
    void acquire(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1) StartupEvent event) {
        if (!config.enabled()) {
            LOG.warn("monitor lease off (knowgate.monitor.lease.enabled=false): run exactly one monitor instance");
            return;
        }
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer = c;
        // SIGTERM while waiting: the start is blocked in poll below; wake it so that the process can end.
        Thread wake = new Thread(() -> {
            stopping = true;
            c.wakeup();
        }, "monitor-lease-stop");
        Runtime.getRuntime().addShutdownHook(wake);
        long since = System.nanoTime();
        try {
            c.subscribe(List.of(Topics.MODELS_DECISIONS.name()), new Listener(c));
            LOG.infof("monitor lease: joining group %s", config.group());
            while (!held) {
                c.poll(Duration.ofMillis(500));
            }
        } catch (WakeupException | InterruptException e) {
            c.close(Duration.ZERO);
            throw new IllegalStateException("stopped while waiting for the monitor lease", e);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(wake);
        } catch (IllegalStateException shuttingDown) {
            // the hook has run or runs now: the ShutdownEvent below releases the lease
        }
        LOG.infof("monitor lease held after %.1f s: this instance is the acting monitor",
                (System.nanoTime() - since) / 1e9);
        Thread k = new Thread(() -> keep(c), "monitor-lease");
        k.setDaemon(true);
        keeper = k;
        k.start();
    }

    // After every other shutdown step: the lease goes to a standby only once this instance has stopped acting.
    void release(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 1000) ShutdownEvent event) {
        stopping = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread k = keeper;
        if (k != null) {
            try {
                k.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether this instance holds the lease now (always true with the lease off). */
    public boolean held() {
        return !config.enabled() || held;
    }

    /** Heartbeats: poll returns at once (the partition is paused) and keeps the membership alive. */
    private void keep(KafkaConsumer<byte[], byte[]> c) {
        try {
            while (!stopping) {
                c.poll(Duration.ofSeconds(1));
            }
        } catch (WakeupException | InterruptException e) {
            // stopping
        } finally {
            c.close(Duration.ofSeconds(5)); // leaves the group: a standby takes over without waiting for the session
            LOG.info("monitor lease released");
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> c;
        private boolean standbyLogged;

        Listener(KafkaConsumer<byte[], byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                c.pause(partitions); // membership only: nothing is fetched
                held = true;
            } else if (!held && !standbyLogged) {
                standbyLogged = true;
                LOG.infof("monitor lease: another instance holds it; this one waits as a standby (group %s)", config.group());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            lost(partitions, "revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            lost(partitions, "lost");
        }

        private void lost(Collection<TopicPartition> partitions, String how) {
            if (partitions.isEmpty() || !held || stopping) {
                return;
            }
            LOG.errorf("monitor lease %s while acting: another instance may act now; halting (exit %d)", how, LOST_EXIT);
            Runtime.getRuntime().halt(LOST_EXIT);
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> c = KafkaClientConfig.consumer(kafkaConfig);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG); // dynamic membership: a clean stop hands the lease over at once
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "monitor-lease");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        int session = (int) config.sessionTimeout().toMillis();
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, session);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, session / 5));
        return c;
    }
}
