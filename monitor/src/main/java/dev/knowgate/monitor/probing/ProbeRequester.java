package dev.knowgate.monitor.probing;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.service.KafkaClientConfig;
import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.Sleeper;
import io.micrometer.core.instrument.Counter;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Owns the probe set and asks for evaluations. At start it writes the probe set to the compacted
 * probes topic. Then it follows the models topic: for every version whose evaluation is not complete
 * (after a restart too) it sends the probes through categorize-stream (examples.submitted, purpose=probe, headers naming
 * the version and an evaluation id); the answers come back on probes.results. With a re-probe
 * interval, the newest version is probed again on that schedule.
 */
@ApplicationScoped
public class ProbeRequester {

    private static final Logger LOG = Logger.getLogger(ProbeRequester.class);
    private static final TopicPartition MODELS = new TopicPartition(Topics.MODELS.name(), 0);
    /** Waits before starting over after a failure: 5 s, doubling up to a minute. */
    private static final Backoff RESTARTS = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1), Backoff.Jitter.NONE);
    private static final Duration HEALTHY_AFTER = Duration.ofMinutes(1);

    private final Duration reprobeInterval;
    private final Map<String, Object> kafkaConfig;
    private final ProbeProgress progress;
    private final MeterRegistry meters;
    private final Counter failed;
    private final Set<String> requested = new HashSet<>();
    private final ProbeSet probes;
    private final int probeCount;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile Thread worker;
    private volatile String newest;
    private volatile boolean stopping;

    @Inject
    public ProbeRequester(MonitorConfig config, ProbeSet probes,
                          @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                          ProbeProgress progress, MeterRegistry meters) {
        this(config.probes().reprobeInterval(), probes, kafkaConfig, progress, meters);
    }

    ProbeRequester(Duration reprobeInterval, ProbeSet probes, Map<String, Object> kafkaConfig, ProbeProgress progress,
                   MeterRegistry meters) {
        this.reprobeInterval = reprobeInterval;
        this.probes = probes;
        this.probeCount = probes.probes().size(); // an evaluation is complete when every probe is answered
        this.kafkaConfig = kafkaConfig;
        this.progress = progress;
        this.meters = meters;
        this.failed = Counter.builder("knowgate.monitor.probe.requester.failures")
                .description("times the probe requester failed and started over (broker away, a probe refused)")
                .register(meters);
    }

    void onStart(@Observes StartupEvent event) {
        Thread w = new Thread(this::run, "probe-requester");
        w.setDaemon(true);
        worker = w;
        w.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
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
    }

    public ProbeSet probes() {
        return probes;
    }

    /** Runs until shutdown; a failure (broker away, ...) is logged and the loop starts over. */
    private void run() {
        int failures = 0;
        while (!stopping) {
            long started = System.nanoTime();
            try {
                follow();
                return;
            } catch (WakeupException | InterruptException e) {
                return;
            } catch (RuntimeException e) {
                // A failure after a good while is a new trouble: the waits start over.
                failures = Duration.ofNanos(System.nanoTime() - started).compareTo(HEALTHY_AFTER) >= 0 ? 1 : failures + 1;
                Duration wait = RESTARTS.delay(failures);
                LOG.errorf(e, "the probe requester failed (%s); starting over in %s", e.getMessage(), wait);
                failed.increment();
                try {
                    Sleeper.THREAD.sleep(wait);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void follow() {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                new ByteArraySerializer());
             KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                     new ByteArrayDeserializer())) {
            producer = p;
            consumer = c;
            publishProbeSet(p);
            c.assign(List.of(MODELS));
            c.seekToBeginning(List.of(MODELS));
            long interval = reprobeInterval.toMillis();
            long nextReprobe = interval > 0 ? System.currentTimeMillis() + interval : Long.MAX_VALUE;
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    version(r).ifPresent(v -> {
                        newest = v.key();
                        if (!requested.contains(v.key()) && !progress.hasProbeResults(v.name(), v.version(), probeCount)) {
                            request(p, v.key(), "eval-" + v.name() + "-" + v.version() + "-" + Instant.now().getEpochSecond());
                        }
                        requested.add(v.key());
                    });
                }
                if (System.currentTimeMillis() >= nextReprobe && newest != null) {
                    request(p, newest, "reprobe-" + newest.replace('@', '-') + "-" + Instant.now().getEpochSecond());
                    nextReprobe = System.currentTimeMillis() + interval;
                }
            }
        }
    }

    private void publishProbeSet(KafkaProducer<String, byte[]> p) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Example e : probes.probes()) {
            sent.add(p.send(new ProducerRecord<>(Topics.PROBES.name(), e.id(), ContractJson.write(e))));
        }
        awaitAll(sent, "the probe set");
        LOG.infof("probe set: %d probes on %s", probes.probes().size(), Topics.PROBES.name());
    }

    /** Sends every probe to categorize-stream for {@code modelKey}, tagged with the evaluation. */
    private void request(KafkaProducer<String, byte[]> p, String modelKey, String evaluationId) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Example e : probes.probes()) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), e.id(),
                    ContractJson.write(e));
            r.headers().add(ProbeHeaders.MODEL, modelKey.getBytes(StandardCharsets.UTF_8));
            r.headers().add(ProbeHeaders.EVALUATION_ID, evaluationId.getBytes(StandardCharsets.UTF_8));
            sent.add(p.send(r));
        }
        awaitAll(sent, "evaluation " + evaluationId + " of " + modelKey);
        Counter.builder("knowgate.monitor.probe.evaluations.requested")
                .description("probe evaluations requested from categorize-stream (one per model version, plus re-probes)")
                .register(meters).increment();
        LOG.infof("requested probe evaluation %s of %s (%d probes)", evaluationId, modelKey, probes.probes().size());
    }

    /**
     * Returns once the broker has taken every record; a refusal fails this pass, and the loop starts
     * over (the version is requested again). An evaluation missing probes would never be complete.
     */
    private static void awaitAll(List<Future<RecordMetadata>> sent, String what) {
        int refused = 0;
        Throwable first = null;
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                refused++;
                first = first == null ? e.getCause() : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
        }
        if (first != null) {
            throw new KafkaException(refused + " of " + sent.size() + " records of " + what + " were not written: "
                    + first.getMessage(), first);
        }
    }

    private java.util.Optional<ModelVersion> version(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(ContractJson.read(r.value(), ModelVersion.class));
        } catch (ContractViolation v) {
            LOG.warnf("models record at offset %d is not a model version, skipped: %s", r.offset(), v.getMessage());
            return java.util.Optional.empty();
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> c = KafkaClientConfig.consumer(kafkaConfig);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "monitor-models-follower");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return c;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> c = KafkaClientConfig.producer(kafkaConfig);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "monitor-probe-requester");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One request at a time: a batch refused while a new partition gets its leader is retried ahead
        // of the next, not refused for good behind batches the broker took meanwhile (OUT_OF_ORDER_SEQUENCE_NUMBER).
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return c;
    }
}
