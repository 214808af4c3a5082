package dev.knowgate.categorize.model;

import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.PromotionLedger;
import dev.knowgate.service.worker.Supervisor;
import dev.knowgate.service.worker.Workers;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.service.KafkaClientConfig;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows the models topic (versions announced: candidates) and models.decisions (promotions and
 * rejections), and keeps {@link LoadedModels} in step, on its own thread, never the stream's:
 * <ul>
 *   <li>the live version is the last one the decisions promoted ({@link PromotionLedger}) in the
 *       lineage of the configured initial folder, the lineage the trainer fine-tunes; until one is
 *       promoted, the initial folder serves. A version of another lineage (an imported model, say)
 *       is evaluated when the monitor asks, but never judges training examples here: examples
 *       filtered by one model's knowledge must not train another;</li>
 *   <li>an undecided candidate is loaded beside it as soon as it is announced, so that its probe
 *       evaluation is answered under itself; a rejected one is unloaded and never serves;</li>
 *   <li>a version a probe asks for that is not loaded (an older one, say) is loaded on demand.</li>
 * </ul>
 * Every load verifies the folder (every file's size and sha256) and that it holds the announced
 * version. A version that fails is refused: logged, counted in {@code knowgate_categorize_model_refused_total{reason}},
 * probes asking for it are rejected, and the live version keeps serving.
 */
@ApplicationScoped
public class ModelsWatcher {

    private static final Logger LOG = Logger.getLogger(ModelsWatcher.class);
    private static final TopicPartition MODELS = new TopicPartition(Topics.MODELS.name(), 0);
    private static final TopicPartition DECISIONS = new TopicPartition(Topics.MODELS_DECISIONS.name(), 0);

    private final LoadedModels loaded;
    private final ModelLoader loader;
    private final CategorizeConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry registry;
    private final Counter swaps;
    private final Map<String, ModelVersion> announced = new HashMap<>();
    /** Rebuilt from the start of models.decisions on every (re)start of the watcher. */
    private PromotionLedger ledger = new PromotionLedger();
    private final Set<String> refusedKeys = new HashSet<>();
    private Optional<String> lineage;
    private final Set<String> liveGauges = new HashSet<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Workers workers;
    private volatile Supervisor worker;

    @Inject
    public ModelsWatcher(LoadedModels loaded, ModelLoader loader, CategorizeConfig config,
                         @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry registry,
                         Workers workers) {
        this.workers = workers;
        this.loaded = loaded;
        this.loader = loader;
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.registry = registry;
        this.swaps = Counter.builder("knowgate.categorize.model.swaps").description("model versions made live")
                .register(registry);
        Gauge.builder("knowgate.categorize.model.candidates.loaded", loaded, m -> m.candidateKeys().size())
                .description("candidate versions loaded beside the live one for their probe evaluations")
                .register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        // Supervised: an unexpected failure restarts the watcher (re-reading both topics) with backoff,
        // and liveness goes DOWN if it keeps failing, instead of a dead thread behind a live service.
        worker = workers.start("models-watcher", this::run, Supervisor.Policy.defaults());
    }

    void onStop(@Observes ShutdownEvent event) {
        Supervisor supervised = worker;
        if (supervised != null) {
            supervised.requestStop(); // the wakeup below is then a stop, not a failure to restart from
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Supervisor w = worker;
        // The wakeup ends the watcher; an interrupt on top of it would cut its consumer's close short
        // (Kafka logs that as an ERROR on every shutdown). Interrupt only one that does not end.
        if (w != null && !w.awaitEnd(Duration.ofSeconds(5))) {
            w.stop(Duration.ofSeconds(5));
        }
        loaded.close();
    }

    /** One run of the watcher, from the start of both topics; an unexpected exception ends it for the supervisor. */
    void run() {
        announced.clear();
        ledger = new PromotionLedger();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> both = List.of(MODELS, DECISIONS);
            c.assign(both);
            c.seekToBeginning(both);
            readToEnd(c);
            reconcile();
            while (!Thread.currentThread().isInterrupted()) {
                apply(c.poll(Duration.ofMillis(loaded.wanted().isEmpty() ? 1_000 : 100)));
                reconcile();
            }
        } catch (WakeupException | InterruptException e) {
            if (worker == null || !worker.stopping()) {
                throw e; // woken by nobody who asked it to stop: a failure like any other
            }
            LOG.debug("models watcher stopped");
        } catch (RuntimeException e) {
            LOG.errorf("models watcher failed (%s); the live model stays %s", e.getMessage(),
                    loaded.live().map(ModelRef::key).orElse("none"));
            throw e;
        }
    }

    /** Everything on both topics now. */
    private void readToEnd(KafkaConsumer<String, byte[]> c) {
        while (true) {
            Map<TopicPartition, Long> end;
            try {
                end = c.endOffsets(List.of(MODELS, DECISIONS), Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warnf("models topics not reachable yet (%s); retrying", e.getMessage());
                continue;
            }
            if (c.position(MODELS) >= end.get(MODELS) && c.position(DECISIONS) >= end.get(DECISIONS)) {
                return;
            }
            apply(c.poll(Duration.ofMillis(500)));
        }
    }

    private void apply(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records.records(MODELS)) {
            if (r.value() == null) {
                announced.remove(r.key()); // a tombstone: the version was withdrawn from the registry
                continue;
            }
            read(r, ModelVersion.class).ifPresent(v -> announced.put(v.key(), v));
        }
        for (ConsumerRecord<String, byte[]> r : records.records(DECISIONS)) {
            read(r, ModelDecision.class).ifPresent(d -> {
                ledger.apply(d);
                LOG.infof("decision: %s %s by %s (%s)", d.key(), d.status().wireName(), d.decidedBy(), d.reason());
            });
        }
    }

    /** Brings the loaded versions in line with what the topics say. */
    void reconcile() {
        Optional<ModelDecision> live = lineage().map(ledger::live).orElseGet(ledger::live);
        if (live.isPresent()) {
            makeLive(live.get().key());
        } else if (loaded.live().isEmpty()) {
            startWithInitialFolder();
        }
        for (ModelVersion v : announced.values()) {
            Optional<ModelDecision> decided = ledger.decision(v.name(), v.version());
            if (decided.isEmpty() && v.parent() != null && !loaded.isLoaded(v.key()) && !refusedKeys.contains(v.key())) {
                load(v).ifPresent(loaded::addCandidate); // a candidate: its probe evaluation will come
            } else if (decided.isPresent() && !decided.get().promoted() && !isLive(v.key())) {
                loaded.unload(v.key());
            }
        }
        for (ModelRef wanted : loaded.wanted()) {
            ModelVersion v = announced.get(wanted.key());
            if (v != null && !refusedKeys.contains(v.key())) {
                load(v).ifPresent(loaded::addCandidate);
            }
        }
        loaded.live().ifPresent(this::exportLive);
    }

    /**
     * knowgate_categorize_model_live_version{model}: the live version of the model (lineage) named,
     * labelled as the monitor's knowgate_monitor_live_version{model} is; 0 while another model is live.
     * Registered once per model name (Micrometer warns on a second registration).
     */
    private void exportLive(ModelRef live) {
        if (!liveGauges.add(live.name())) {
            return;
        }
        Gauge.builder("knowgate.categorize.model.live.version", loaded,
                        m -> m.live().filter(r -> r.name().equals(live.name())).map(ModelRef::version).orElse(0L))
                .description("version number of the live model, by model name").tag("model", live.name())
                .register(registry);
    }

    private void makeLive(String key) {
        if (isLive(key) || refusedKeys.contains(key)) {
            return;
        }
        ModelVersion v = announced.get(key);
        if (v == null) {
            LOG.debugf("%s is promoted but not announced yet", key);
            return;
        }
        if (loaded.promote(key)) {
            swaps.increment();
            return;
        }
        load(v).ifPresent(m -> {
            loaded.swap(m);
            swaps.increment();
        });
    }

    /**
     * The name of the lineage served: the initial folder's manifest says it (read once; the folder's
     * files are verified where it loads). Empty when the manifest cannot be read (the initial load is
     * then refused and reported), and any lineage's last promoted version serves.
     */
    private Optional<String> lineage() {
        if (lineage == null) {
            Path manifest = config.model().initial().resolve(ModelVersion.MANIFEST_FILE);
            try {
                lineage = Optional.of(ContractJson.read(Files.readAllBytes(manifest), ModelVersion.class).name());
                LOG.infof("serving the lineage %s (knowgate.categorize.model.initial)", lineage.get());
            } catch (IOException | ContractViolation e) {
                LOG.errorf("cannot read %s (%s): any lineage's last promoted version serves", manifest, e.getMessage());
                lineage = Optional.empty();
            }
        }
        return lineage;
    }

    private boolean isLive(String key) {
        return loaded.live().map(ModelRef::key).filter(key::equals).isPresent();
    }

    private void startWithInitialFolder() {
        try {
            ServingModel initial = loader.load(config.model().initial());
            loaded.swap(initial);
            swaps.increment();
        } catch (ModelRefusedException e) {
            refused(e.reason(), "initial model " + config.model().initial().toAbsolutePath() + ": " + e.getMessage());
        }
    }

    /** Loads and verifies a version; empty (logged, counted, remembered) when it is refused. */
    private Optional<ServingModel> load(ModelVersion version) {
        try {
            return Optional.of(loader.load(version));
        } catch (ModelRefusedException e) {
            refusedKeys.add(version.key());
            loaded.refuse(new ModelRef(version.name(), version.version()), e.reason() + ": " + e.getMessage());
            refused(e.reason(), e.getMessage());
            return Optional.empty();
        }
    }

    private <T> Optional<T> read(ConsumerRecord<String, byte[]> r, Class<T> type) {
        try {
            return Optional.of(ContractJson.read(r.value(), type));
        } catch (ContractViolation v) {
            refused("invalid_record", r.topic() + " record at offset " + r.offset() + ": " + v.getMessage());
            return Optional.empty();
        }
    }

    private void refused(String reason, String message) {
        LOG.errorf("model refused (%s): %s; live model stays %s", reason, message,
                loaded.live().map(ModelRef::key).orElse("none"));
        Counter.builder("knowgate.categorize.model.refused")
                .description("model versions refused (never loaded, the live model kept), by reason")
                .tag("reason", reason).register(registry).increment();
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
