package dev.knowgate.monitor.webhook;

import dev.knowgate.service.KafkaClientConfig;
import dev.knowgate.service.worker.Supervisor;
import dev.knowgate.service.worker.Workers;
import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.webhook.WebhookSender.Endpoint;
import dev.knowgate.monitor.webhook.WebhookSender.Outcome;
import dev.knowgate.monitor.webhook.WebhookSender.Policy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers every record of the alerts topic (firing and resolved) to each configured webhook. One
 * consumer thread reads the topic in order; each record goes to all targets at once (a slow or dead
 * target does not delay the others' copy of that alert), and its offset is committed when every
 * target has finished with it, delivered or given up. So each target gets each alert at least
 * once: a restart re-sends only what was not finished. No target configured: nothing runs.
 */
@ApplicationScoped
public class AlertWebhooks {

    static final String GROUP_ID = "knowgate-monitor-webhooks";
    private static final Logger LOG = Logger.getLogger(AlertWebhooks.class);

    private final WebhooksConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    /** Counted down on shutdown: ends the poll loop and cuts backoff waits short. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Supervisor worker;
    private volatile ExecutorService deliveries;
    private List<Hook> hooks = List.of();
    private WebhookSender sender;

    @Inject
    Workers workers;

    @Inject
    public AlertWebhooks(WebhooksConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                         MeterRegistry registry) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.targets().isEmpty()) {
            LOG.info("no webhook targets configured (knowgate.monitor.webhooks.targets): alerts are not delivered");
            return;
        }
        // Misconfiguration fails the start, before anything is consumed.
        Policy policy = Policy.of(config);
        hooks = hooks(config);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade dance with plain-http receivers
                .connectTimeout(config.timeout())
                .build();
        sender = new WebhookSender(client, policy, this::pause);
        for (Hook hook : hooks) {
            String name = hook.endpoint().name();
            deliveries(name, "delivered");
            deliveries(name, "failed");
            attempts(name);
        }
        AtomicInteger threads = new AtomicInteger();
        deliveries = Executors.newFixedThreadPool(hooks.size(), task -> {
            Thread t = new Thread(task, "alert-webhook-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Supervised: an unexpected failure restarts delivery (from the committed offsets) with backoff,
        // and liveness goes DOWN if it keeps failing, instead of alerts silently no longer delivered.
        worker = workers.start("alert-webhooks", () -> run(policy), Supervisor.Policy.defaults());
        LOG.infof("delivering alerts to %d webhook(s): %s", hooks.size(),
                hooks.stream().map(h -> h.endpoint().name() + " (" + h.format().configName() + ")").toList());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping.countDown();
        Supervisor supervised = worker;
        if (supervised != null) {
            supervised.requestStop(); // the wakeup below is then a stop, not a failure to restart from
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Supervisor w = worker;
        if (w != null) {
            // A request in flight ends within its timeout; waits end at once.
            w.stop(config.timeout().plusSeconds(5));
        }
        ExecutorService d = deliveries;
        if (d != null) {
            d.shutdownNow();
        }
    }

    private void run(Policy policy) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(policy), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            if (stopped()) {
                return; // shut down before the consumer was visible to onStop's wakeup
            }
            c.subscribe(List.of(Topics.ALERTS.name()));
            while (!stopped()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    handle(r);
                    commit(c, r);
                }
            }
        } catch (WakeupException | InterruptException | InterruptedException e) {
            if (!stopped()) {
                throw new IllegalStateException("alert webhook delivery interrupted while not stopping", e);
            }
            // Shutting down; an alert whose delivery was cut short is not committed and is sent again next start.
            LOG.debug("alert webhooks stopped");
        } catch (RuntimeException e) {
            // Uncommitted alerts are delivered again when the supervisor restarts this run.
            LOG.errorf("alert webhook delivery failed (%s)", e.getMessage());
            throw e;
        }
    }

    /** Delivers one record to every target and waits until all have finished. */
    private void handle(ConsumerRecord<String, byte[]> r) throws InterruptedException {
        Optional<Alert> parsed = parse(r);
        if (parsed.isEmpty()) {
            return;
        }
        Alert alert = parsed.get();
        List<Future<?>> running = new ArrayList<>(hooks.size());
        for (Hook hook : hooks) {
            running.add(deliveries.submit(() -> {
                deliver(hook, alert);
                return null;
            }));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof InterruptedException) {
                    throw (InterruptedException) e.getCause(); // stopping: leave the offset uncommitted
                }
                LOG.errorf(e.getCause(), "webhook delivery of alert %s failed unexpectedly", alert.id());
            }
        }
    }

    private Counter deliveries(String target, String outcome) {
        return Counter.builder("knowgate.monitor.webhook.deliveries")
                .description("alerts handed to a webhook target, by target and outcome (delivered or failed)")
                .tags("target", target, "outcome", outcome).register(registry);
    }

    private Counter attempts(String target) {
        return Counter.builder("knowgate.monitor.webhook.attempts")
                .description("HTTP attempts made to deliver alerts to a webhook target, retries included")
                .tag("target", target).register(registry);
    }

    private void deliver(Hook hook, Alert alert) throws InterruptedException {
        String target = hook.endpoint().name();
        Outcome outcome;
        try {
            outcome = sender.send(hook.endpoint(), hook.format().render(alert, config.dashboardUrl()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "webhook %s: alert %s not delivered", target, alert.id());
            deliveries(target, "failed").increment();
            return;
        }
        attempts(target).increment(outcome.attempts());
        deliveries(target, outcome.delivered() ? "delivered" : "failed").increment();
        switch (outcome.result()) {
            case DELIVERED:
                LOG.infof("webhook %s: alert %s (%s) delivered after %d attempt(s)", target, alert.id(),
                        alert.status().wireName(), outcome.attempts());
                break;
            case REFUSED:
                LOG.errorf("webhook %s: alert %s refused, not retried (permanent failure): %s", target, alert.id(),
                        outcome.detail());
                break;
            default:
                LOG.errorf("webhook %s: gave up on alert %s after %d attempts: %s", target, alert.id(),
                        outcome.attempts(), outcome.detail());
        }
    }

    private Optional<Alert> parse(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            LOG.warnf("alerts record at offset %d has no value; skipped", r.offset());
            return Optional.empty();
        }
        try {
            return Optional.of(ContractJson.read(r.value(), Alert.class));
        } catch (ContractViolation v) {
            LOG.errorf("alerts record at offset %d is not a valid alert, skipped: %s", r.offset(), v.getMessage());
            return Optional.empty();
        }
    }

    private void commit(KafkaConsumer<String, byte[]> c, ConsumerRecord<String, byte[]> r) {
        Map<TopicPartition, OffsetAndMetadata> next = Map.of(new TopicPartition(r.topic(), r.partition()),
                new OffsetAndMetadata(r.offset() + 1));
        try {
            try {
                c.commitSync(next);
            } catch (WakeupException shuttingDown) {
                c.commitSync(next); // the record is done: record it before stopping (the wakeup is spent)
            }
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partition moved to another instance, which re-reads from the last commit.
            LOG.warnf("alerts offset %d not committed (%s); the alert may be delivered again", r.offset(),
                    e.getMessage());
        }
    }

    private boolean stopped() {
        return stopping.getCount() == 0;
    }

    /** The sender's sleeper: waits, unless the service is stopping. */
    private void pause(Duration wait) throws InterruptedException {
        if (stopping.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new InterruptedException("shutting down");
        }
    }

    private Map<String, Object> consumerConfig(Policy policy) {
        Map<String, Object> c = KafkaClientConfig.consumer(kafkaConfig);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP_ID);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "monitor-webhooks");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // One alert per poll, and room between polls for its slowest delivery (every try timing out,
        // every wait at the cap), so retrying never makes the group evict this consumer.
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        long interval = Math.max(300_000L, policy.worstCase().plusMinutes(1).toMillis());
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(interval, Integer.MAX_VALUE));
        return c;
    }

    private static List<Hook> hooks(WebhooksConfig config) {
        List<Hook> hooks = new ArrayList<>();
        config.targets().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            URI url;
            try {
                url = URI.create(e.getValue().url().trim());
            } catch (IllegalArgumentException invalid) {
                // Not echoed: webhook URLs (Slack's) are secrets.
                throw new IllegalStateException("knowgate.monitor.webhooks.targets." + e.getKey()
                        + ".url is not a valid URL");
            }
            hooks.add(new Hook(new Endpoint(e.getKey(), url, e.getValue().headers()), e.getValue().format()));
        });
        return List.copyOf(hooks);
    }

    /** One configured target: where, and in which format. */
    private record Hook(Endpoint endpoint, WebhookFormat format) {
    }
}
