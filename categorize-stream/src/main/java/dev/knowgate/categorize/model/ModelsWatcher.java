package dev.knowgate.categorize.model;

import dev.knowgate.service.KafkaClientConfig;
import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the models topic and keeps {@link LiveModel} on the newest version that loads. At start
 * it reads the topic to its end and serves the last announced version that passes verification
 * (else the configured initial folder); then every new record is loaded and verified on this
 * thread, never the stream's, and swapped in between batches. A bad version (checksum mismatch,
 * missing file, load error, unreadable record) is refused: logged, counted in
 * {@code knowgate_model_refused_total{reason}}, and the live model keeps serving.
 */
@ApplicationScoped
public class ModelsWatcher {

    private static final Logger LOG = Logger.getLogger(ModelsWatcher.class);
    private static final TopicPartition MODELS = new TopicPartition(Topics.MODELS.name(), 0);

    private final LiveModel live;
    private final ModelLoader loader;
    private final CategorizeConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final Counter swaps;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread worker;

    @Inject
    public ModelsWatcher(LiveModel live, ModelLoader loader, CategorizeConfig config,
                         @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry registry) {
        this.live = live;
        this.loader = loader;
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
        this.swaps = Counter.builder("knowgate_model_swaps_total").description("model versions made live")
                .register(registry);
        Gauge.builder("knowgate_model_live_version", live, m -> m.live().map(ModelRef::version).orElse(0L))
                .description("version number of the live model (0: none loaded)").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        Thread w = new Thread(this::run, "models-watcher");
        w.setDaemon(true);
        worker = w;
        w.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread w = worker;
        if (w != null) {
            try {
                w.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        live.close();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            c.assign(List.of(MODELS));
            c.seekToBeginning(List.of(MODELS));
            List<ModelVersion> announced = readToEnd(c);
            startWith(announced);
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    parse(r).ifPresent(this::offer);
                }
            }
        } catch (WakeupException | InterruptException e) {
            LOG.debug("models watcher stopped");
        } catch (RuntimeException e) {
            LOG.errorf(e, "models watcher failed; the live model stays %s", live.live().map(ModelRef::key).orElse("none"));
        }
    }

    /** Everything on the topic now, in publication order (one partition). */
    private List<ModelVersion> readToEnd(KafkaConsumer<String, byte[]> c) {
        List<ModelVersion> all = new ArrayList<>();
        while (true) {
            long end;
            try {
                end = c.endOffsets(List.of(MODELS), Duration.ofSeconds(10)).get(MODELS);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warnf("models topic not reachable yet (%s); retrying", e.getMessage());
                continue;
            }
            if (c.position(MODELS) >= end) {
                return all;
            }
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                parse(r).ifPresent(all::add);
            }
        }
    }

    /** The newest announced version that loads, else the initial folder. */
    private void startWith(List<ModelVersion> announced) {
        for (int i = announced.size() - 1; i >= 0; i--) {
            if (offer(announced.get(i))) {
                return;
            }
        }
        if (live.live().isPresent()) {
            return;
        }
        try {
            ServingModel initial = loader.load(config.model().initial());
            live.swap(initial);
            swaps.increment();
        } catch (ModelRefusedException e) {
            refused(e.reason(), "initial model " + config.model().initial().toAbsolutePath() + ": " + e.getMessage());
        }
    }

    /** Loads and swaps in a version; false (logged, counted) when it is refused. */
    boolean offer(ModelVersion version) {
        if (live.live().map(ModelRef::key).filter(version.key()::equals).isPresent()) {
            return true; // already serving (e.g. the record replayed)
        }
        try {
            ServingModel next = loader.load(version);
            live.swap(next);
            swaps.increment();
            return true;
        } catch (ModelRefusedException e) {
            refused(e.reason(), e.getMessage());
            return false;
        }
    }

    private Optional<ModelVersion> parse(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return Optional.empty(); // a tombstone: the version was withdrawn from the registry
        }
        try {
            return Optional.of(ContractJson.read(r.value(), ModelVersion.class));
        } catch (ContractViolation v) {
            refused("invalid_record", "models record at offset " + r.offset() + ": " + v.getMessage());
            return Optional.empty();
        }
    }

    private void refused(String reason, String message) {
        LOG.errorf("model refused (%s): %s; live model stays %s", reason, message,
                live.live().map(ModelRef::key).orElse("none"));
        registry.counter("knowgate_model_refused_total", "reason", reason).increment();
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> c = KafkaClientConfig.consumer(kafkaConfig);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "categorize-models-watcher");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, not subscribed: every instance reads everything
        return c;
    }
}
