package dev.knowgate.trainer.round;

import dev.knowgate.service.KafkaClientConfig;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.ModelFolderException;
import dev.knowgate.trainer.registry.ModelRegistry;
import dev.knowgate.trainer.registry.ModelsTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trainer's consumer loop on examples.accepted: gathers examples until a round is due (enough
 * trainable examples, the oldest waited long enough, or a trigger), hands the round to a
 * {@link RoundRunner} on another thread while its partitions stay paused (the consumer keeps polling,
 * so it stays in its group), and commits the round's offsets only after its version is published.
 *
 * <p>At start it recovers from a crash at any stage: a version already on the models topic for
 * offsets not yet committed is recognised and its offsets committed without training again; a
 * version installed in the registry but not announced, trained from exactly the committed offsets,
 * is published and committed; any other unannounced folder and every staging leftover is removed.
 *
 * <p>One trainer instance per model lineage: versions form a chain, each the parent of the next.
 */
public final class RoundLoop implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RoundLoop.class);

    /**
     * @param instanceId  static group membership id of this trainer instance
     * @param startPaused start without consuming (resume through the API)
     */
    public record Settings(String acceptedTopic, String groupId, String instanceId, Path initialModel, int minExamples,
                           int maxExamples, Duration maxWait, boolean startPaused) {
    }

    /** What the trainer is doing, for the API and health. */
    public record Status(boolean started, boolean paused, String pauseReason, int pending, int trainable,
                         String roundInProgress, String liveVersion, Long oldestPendingAgeMs, String startupError) {
    }

    private record Pending(TopicPartition tp, long offset, RoundExample example, Instant at) {
    }

    private final Settings settings;
    private final Map<String, Object> clientConfig;
    private final ModelsTopic models;
    private final ModelRegistry registry;
    private final RoundRunner runner;
    private final RoundHistory history;
    private final RoundMetrics metrics;
    private final RoundStage.Listener listener;
    private final ExecutorService roundThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trainer-round");
        t.setDaemon(true);
        return t;
    });

    // Consumer thread state.
    private KafkaConsumer<String, byte[]> consumer;
    private final List<Pending> pending = new ArrayList<>();
    private final Map<TopicPartition, Long> roundStart = new HashMap<>();
    private Map<TopicPartition, Long> lastPublishedEnd = Map.of();
    private ModelVersion lastPublished;
    private final List<Long> orphans = new ArrayList<>();
    private ModelFolder live;
    private long highestVersion;
    private Future<RoundRunner.Result> inFlight;
    private RoundRecord inFlightRecord;
    private List<Pending> inFlightRecords = List.of();
    private final AtomicLong roundSeq = new AtomicLong();

    // Shared with API threads.
    private volatile boolean closing;
    private volatile boolean started;
    private volatile boolean paused;
    private volatile String pauseReason;
    private volatile boolean triggered;
    private volatile Status status = new Status(false, false, null, 0, 0, null, null, null, null);

    public RoundLoop(Settings settings, Map<String, Object> clientConfig, ModelsTopic models, ModelRegistry registry,
                     RoundRunner runner, RoundHistory history, RoundMetrics metrics, RoundStage.Listener listener) {
        this.settings = settings;
        this.clientConfig = Map.copyOf(clientConfig);
        this.models = models;
        this.registry = registry;
        this.runner = runner;
        this.history = history;
        this.metrics = metrics;
        this.listener = listener;
        this.paused = settings.startPaused();
        this.pauseReason = settings.startPaused() ? "started paused (knowgate.trainer.round.start-paused)" : null;
    }

    @Override
    public void run() {
        try {
            consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
            recover();
            consumer.subscribe(List.of(settings.acceptedTopic()), new Rebalance());
            started = true;
            while (!closing) {
                applyPause();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    add(r);
                }
                if (inFlight != null) {
                    if (inFlight.isDone()) {
                        finishRound();
                    }
                } else if (!paused && roundDue()) {
                    startRound();
                }
                publishStatus(null);
            }
        } catch (WakeupException | InterruptException e) {
            LOG.debug("round loop stopped");
        } catch (Exception e) {
            LOG.errorf(e, "the trainer stopped: %s", e.getMessage());
            publishStatus(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(5));
            }
        }
    }

    // ---- API (any thread) ----

    public Status status() {
        Status s = status; // pause and resume show at once, not after the loop's next turn
        return new Status(s.started(), paused, pauseReason, s.pending(), s.trainable(), s.roundInProgress(),
                s.liveVersion(), s.oldestPendingAgeMs(), s.startupError());
    }

    /** Starts a round with what is pending now; false when nothing is pending or a round is running. */
    public synchronized boolean trigger() {
        Status s = status();
        if (s.pending() == 0 || s.roundInProgress() != null) {
            return false;
        }
        triggered = true;
        return true;
    }

    public void pause(String reason) {
        pauseReason = reason;
        paused = true;
    }

    public void resume() {
        paused = false;
        pauseReason = null;
    }

    @Override
    public void close() {
        closing = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        roundThread.shutdownNow();
    }

    // ---- consumer thread ----

    private void add(ConsumerRecord<String, byte[]> r) {
        RoundExample example = null;
        String skip = null;
        if (r.value() == null) {
            skip = "tombstone";
        } else {
            try {
                CategorizedExample c = ContractJson.read(r.value(), CategorizedExample.class);
                if (c.example().purpose() == Purpose.PROBE) {
                    skip = "probe"; // probes measure a version; they never reach training
                } else {
                    example = RoundExample.of(c);
                }
            } catch (ContractViolation v) {
                skip = "invalid_record";
                LOG.warnf("%s-%d@%d is not a categorized example, skipped: %s", r.topic(), r.partition(), r.offset(),
                        v.getMessage());
            }
        }
        if (skip != null) {
            metrics.skipped(skip, 1);
        }
        pending.add(new Pending(new TopicPartition(r.topic(), r.partition()), r.offset(), example, Instant.now()));
    }

    private boolean roundDue() {
        if (pending.isEmpty()) {
            return false;
        }
        if (triggered || pending.size() >= settings.maxExamples() || trainable(pending) >= settings.minExamples()) {
            return true;
        }
        return Duration.between(pending.get(0).at(), Instant.now()).compareTo(settings.maxWait()) >= 0;
    }

    private long trainable(List<Pending> records) {
        return records.stream().filter(p -> p.example() != null
                && runner.mixerPolicy().categories().contains(p.example().category())).count();
    }

    private void startRound() {
        triggered = false;
        List<Pending> taken = List.copyOf(pending.subList(0, Math.min(pending.size(), settings.maxExamples())));
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (TopicPartition tp : assigned) {
            end.put(tp, endOf(tp, taken));
        }
        String id = "round-" + Instant.now().toEpochMilli() + "-" + roundSeq.incrementAndGet();
        RoundRecord record = RoundRecord.started(id, live.manifest().key(), taken.size(), keyed(startOffsets(assigned)),
                keyed(end));
        List<RoundExample> examples = taken.stream().map(Pending::example).filter(e -> e != null).toList();
        consumer.pause(assigned);
        long version = highestVersion + 1;
        ModelFolder parent = live;
        inFlightRecords = taken;
        inFlightRecord = record;
        history.put(record);
        LOG.infof("%s: %d examples from %s, training %s@%d", id, taken.size(), parent.manifest().key(),
                parent.manifest().name(), version);
        inFlight = roundThread.submit(() -> runner.run(record, examples, parent, version, r -> {
            inFlightRecord = r;
            history.put(r);
        }));
    }

    /** The offset after the round's last record of a partition; where reading stands when it has none. */
    private long endOf(TopicPartition tp, List<Pending> taken) {
        long end = -1;
        for (Pending p : taken) {
            if (p.tp().equals(tp)) {
                end = p.offset() + 1;
            }
        }
        if (end >= 0) {
            return end;
        }
        for (Pending p : pending) {
            if (p.tp().equals(tp)) {
                return p.offset(); // the first record this round leaves for the next
            }
        }
        return consumer.position(tp);
    }

    private Map<TopicPartition, Long> startOffsets(Set<TopicPartition> assigned) {
        Map<TopicPartition, Long> start = new HashMap<>();
        for (TopicPartition tp : assigned) {
            Long s = roundStart.get(tp);
            start.put(tp, s != null ? s : consumer.position(tp));
        }
        return start;
    }

    private void finishRound() {
        RoundRunner.Result result;
        Map<TopicPartition, Long> end = unkeyed(inFlightRecord.endOffsets());
        try {
            result = inFlight.get();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.errorf(cause, "%s failed; nothing published, offsets not committed, consumption paused",
                    inFlightRecord.id());
            RoundRecord failed = inFlightRecord.finished(RoundStatus.FAILED, null, cause.toString());
            history.put(failed);
            metrics.round(failed);
            pause(inFlightRecord.id() + " failed: " + cause.getMessage() + " (resume to retry)");
            clearInFlight();
            return;
        }
        try {
            commit(end);
            listener.reached(RoundStage.COMMITTED, inFlightRecord.id());
        } catch (RuntimeException e) {
            // The version is published with these offsets; a restart recognises it and commits them.
            LOG.errorf(e, "%s: committing offsets failed after publishing", inFlightRecord.id());
        }
        if (result.published() != null) {
            live = result.published();
            highestVersion = Math.max(highestVersion, live.manifest().version());
            lastPublishedEnd = end;
            metrics.live(live.manifest());
            LOG.infof("%s published %s (dev accuracy %s -> %s, %d epochs, %.0f tokens/s)", result.record().id(),
                    live.manifest().key(), result.record().devAccuracyBefore(), result.record().devAccuracy(),
                    result.record().epochs(), result.record().tokensPerSecond());
        } else {
            LOG.infof("%s: nothing to train on (%s); offsets committed", result.record().id(), result.record().skipped());
        }
        history.put(result.record());
        metrics.round(result.record());
        pending.removeAll(inFlightRecords);
        roundStart.putAll(end);
        clearInFlight();
        consumer.resume(consumer.assignment());
    }

    private void clearInFlight() {
        inFlight = null;
        inFlightRecords = List.of();
        inFlightRecord = null;
    }

    private void commit(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
        consumer.commitSync(commit);
    }

    private void applyPause() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (paused || inFlight != null) {
            consumer.pause(assigned);
        } else {
            consumer.resume(assigned);
        }
    }

    private void publishStatus(String startupError) {
        Long age = pending.isEmpty() ? null : Duration.between(pending.get(0).at(), Instant.now()).toMillis();
        RoundRecord r = inFlightRecord;
        status = new Status(started, paused, pauseReason, pending.size(), (int) trainable(pending),
                r == null ? null : r.id(), live == null ? null : live.manifest().key(), age, startupError);
        metrics.pending(pending.size(), paused);
    }

    // ---- recovery ----

    private void recover() throws Exception {
        ModelFolder base = ModelFolder.open(settings.initialModel());
        String name = base.manifest().name();
        registry.cleanStaging(name);
        List<ModelVersion> lineage = models.readAll(Duration.ofSeconds(60)).stream()
                .filter(v -> v.name().equals(name)).toList();
        if (lineage.isEmpty()) {
            ModelFolder registered = registry.register(base);
            models.publish(registered.manifest().withLocation(registered.dir().toString()));
            LOG.infof("registered the base model %s and published it", registered.manifest().key());
            lineage = List.of(registered.manifest().withLocation(registered.dir().toString()));
        }
        highestVersion = lineage.stream().mapToLong(ModelVersion::version).max().orElseThrow();
        live = newestThatOpens(lineage);

        // What a crash may have left is settled once the partitions are assigned (committing needs
        // membership of the group): a version published for offsets never committed, and versions
        // installed but never announced.
        for (ModelVersion v : lineage) {
            if (v.round() != null && !v.round().sourceOffsets().isEmpty()) {
                lastPublishedEnd = unkeyed(v.round().sourceOffsets());
                lastPublished = v;
            }
        }
        for (long v : registry.versions(name)) {
            if (v > highestVersion) {
                orphans.add(v);
            }
        }
        metrics.live(live.manifest());
    }

    /** On assignment: continue after the newest published round, and publish or remove unannounced versions. */
    private void reconcile(Collection<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
            positions.put(tp, consumer.position(tp));
        }
        Map<TopicPartition, Long> catchUp = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long published = lastPublishedEnd.get(tp);
            if (published != null && published > positions.get(tp)) {
                catchUp.put(tp, published);
            }
        }
        if (!catchUp.isEmpty()) {
            catchUp.forEach(consumer::seek);
            commit(catchUp);
            positions.putAll(catchUp);
            if (lastPublished != null) {
                recovered(lastPublished.round().roundId(), lastPublished.key(), "published before a crash; offsets committed now");
            }
        }
        lastPublished = null;
        if (!orphans.isEmpty()) {
            Set<TopicPartition> all = new HashSet<>();
            for (PartitionInfo p : consumer.partitionsFor(settings.acceptedTopic(), Duration.ofSeconds(60))) {
                all.add(new TopicPartition(p.topic(), p.partition()));
            }
            boolean whole = partitions.containsAll(all);
            String name = live.manifest().name();
            for (long v : orphans) {
                Path dir = registry.folder(name, v);
                RoundRunner.RoundOffsets offsets = RoundRunner.offsets(dir);
                if (whole && v == highestVersion + 1 && offsets != null && sameOffsets(unkeyed(offsets.start()), positions)) {
                    ModelFolder orphan = ModelFolder.open(dir);
                    models.publish(orphan.manifest().withLocation(orphan.dir().toString()));
                    Map<TopicPartition, Long> end = unkeyed(offsets.end());
                    end.forEach(consumer::seek);
                    commit(end);
                    positions.putAll(end);
                    lastPublishedEnd = end;
                    live = orphan;
                    highestVersion = v;
                    metrics.live(live.manifest());
                    recovered(offsets.roundId(), orphan.manifest().key(), "installed before a crash; published and committed now");
                } else {
                    LOG.warnf("removing %s: in the registry but never published, and not trained from the committed offsets", dir);
                    registry.delete(name, v);
                }
            }
            orphans.clear();
        }
        positions.forEach(roundStart::put);
        LOG.infof("trainer ready: live %s, reading %s from %s", live.manifest().key(), settings.acceptedTopic(), keyed(positions));
    }

    private void recovered(String roundId, String key, String what) {
        LOG.infof("recognised %s (%s): %s, without training again", roundId, key, what);
        RoundRecord r = new RoundRecord(roundId, RoundStatus.RECOVERED, null, key, null, Instant.now(), 0, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
        history.put(r);
        metrics.round(r);
    }

    private ModelFolder newestThatOpens(List<ModelVersion> lineage) throws ModelFolderException {
        ModelFolderException last = null;
        for (int i = lineage.size() - 1; i >= 0; i--) {
            ModelVersion v = lineage.get(i);
            if (v.location() == null) {
                continue;
            }
            try {
                return ModelFolder.open(Path.of(v.location().startsWith("file:")
                        ? java.net.URI.create(v.location()).getPath() : v.location()));
            } catch (ModelFolderException e) {
                LOG.warnf("cannot train from %s: %s", v.key(), e.getMessage());
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
        throw new IllegalStateException("no version of the lineage has a location");
    }

    private static boolean sameOffsets(Map<TopicPartition, Long> a, Map<TopicPartition, Long> b) {
        Set<TopicPartition> keys = new HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys.stream().allMatch(k -> a.getOrDefault(k, 0L).equals(b.getOrDefault(k, 0L)));
    }

    private Map<String, Long> keyed(Map<TopicPartition, Long> offsets) {
        Map<String, Long> out = new java.util.TreeMap<>();
        offsets.forEach((tp, o) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), o));
        return out;
    }

    /** Only this loop's topic: "examples.accepted-3" to its partition. */
    private Map<TopicPartition, Long> unkeyed(Map<String, Long> offsets) {
        Map<TopicPartition, Long> out = new HashMap<>();
        String prefix = settings.acceptedTopic() + "-";
        offsets.forEach((key, o) -> {
            if (key.startsWith(prefix) && key.substring(prefix.length()).matches("[0-9]+")) {
                out.put(new TopicPartition(settings.acceptedTopic(), Integer.parseInt(key.substring(prefix.length()))), o);
            }
        });
        return out;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> c = KafkaClientConfig.consumer(clientConfig);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        // Static membership: a restarted trainer takes its partitions back at once, instead of
        // waiting for the crashed instance's session to expire.
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.instanceId());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "trainer-" + settings.groupId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return c;
    }

    /** Records of revoked partitions are dropped (they are not committed, so they are read again). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inFlight == null) {
                pending.removeIf(p -> partitions.contains(p.tp()));
                partitions.forEach(roundStart::remove);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            try {
                reconcile(partitions);
            } catch (Exception e) {
                throw new IllegalStateException("recovering the trainer's state failed: " + e.getMessage(), e);
            }
            if (paused || inFlight != null) {
                consumer.pause(partitions);
            }
        }
    }
}
