package dev.knowgate.trainer.round;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.ModelFolderException;
import dev.knowgate.service.KafkaClientConfig;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.registry.DecisionsFollower;
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

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trainer's consumer loop on examples.accepted (and examples.released, curators' releases admitted
 * within a budget): gathers examples until a round is due (enough
 * trainable examples, the oldest waited long enough, or a trigger), hands the round to a
 * {@link RoundRunner} on another thread while its partitions stay paused (the consumer keeps
 * polling, so it stays in its group), and then waits for the monitor's decision on the candidate
 * version it published (models.decisions):
 * <ul>
 *   <li>promoted: the round's offsets are committed and the next round trains from it;</li>
 *   <li>rejected: the same examples are trained again from the last promoted version with stronger
 *       self-distillation ({@link GatePolicy}); once the retries are rejected too (or with
 *       {@code on-reject=park}) they are parked on examples.parked, in one transaction with the
 *       round's offsets.</li>
 * </ul>
 * Every round trains from the lineage's live version, the last promoted one.
 *
 * <p>Offsets are committed only once a round is decided, so at start it recovers from a crash at
 * any stage: a candidate already on the models topic for offsets not yet committed is taken up
 * again (its records re-read, its decision awaited or acted on) without training again; a version
 * installed in the registry but not announced, trained from exactly the committed offsets, is
 * published and awaited; any other unannounced folder and every staging leftover is removed.
 *
 * <p>One trainer instance per model lineage: versions form a chain, each the parent of the next.
 */
public final class RoundLoop implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RoundLoop.class);

    /**
     * What the trainer is doing, for the API and health.
     *
     * @param awaitingDecision the candidate (name@version) whose decision the round in progress waits for
     */
    public record Status(boolean started, boolean paused, String pauseReason, int pending, int trainable,
                         String roundInProgress, String liveVersion, Long oldestPendingAgeMs, String startupError,
                         String awaitingDecision) {
    }

    /** A round from its start until its version is decided: its records, its offsets and its trainings. */
    private static final class Round {
        final String id;
        final List<PendingRecords.Pending> taken;
        final Map<TopicPartition, Long> start;
        final Map<TopicPartition, Long> end;
        int attempt;
        RoundRecord record;
        Future<RoundRunner.Result> training;
        ModelFolder candidate;

        Round(String id, List<PendingRecords.Pending> taken, Map<TopicPartition, Long> start,
              Map<TopicPartition, Long> end, int attempt) {
            this.id = id;
            this.taken = List.copyOf(taken);
            this.start = Map.copyOf(start);
            this.end = Map.copyOf(end);
            this.attempt = attempt;
        }

        String attemptId() {
            return attempt == 0 ? id : id + "-retry" + attempt;
        }

        RoundRecord.Source source() {
            return new RoundRecord.Source(taken.size(), RoundRecovery.keyed(start), RoundRecovery.keyed(end));
        }
    }

    /** A candidate found at start for offsets not yet committed: its round is rebuilt once its records are read again. */
    private record Recovered(String roundId, Map<TopicPartition, Long> end, ModelFolder candidate, int attempt) {
    }

    private final RoundLoopSettings settings;
    private final Map<String, Object> clientConfig;
    private final ModelsTopic models;
    private final ModelRegistry registry;
    private final RoundRunner runner;
    private final RoundHistory history;
    private final RoundMetrics metrics;
    private final RoundStage.Listener listener;
    private final Clock clock;
    private final RoundTrigger trigger;
    private final RoundRecovery recovery;
    private final ExecutorService roundThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "trainer-round");
        t.setDaemon(true);
        return t;
    });

    // Consumer thread state.
    private KafkaConsumer<String, byte[]> consumer;
    private DecisionsFollower decisions;
    private ParkedExamples parked;
    private final PendingRecords pending = new PendingRecords();
    private List<ModelVersion> lineage = List.of();
    private final List<Long> orphans = new ArrayList<>();
    private String name;
    private final Set<String> otherLineages = new HashSet<>();
    private ModelFolder base;
    private ModelFolder live;
    private long highestVersion;
    private Round round;
    private Recovered recovered;
    private final AtomicLong roundSeq = new AtomicLong();

    // Shared with API threads.
    private volatile boolean closing;
    private volatile boolean started;
    private volatile boolean paused;
    private volatile String pauseReason;
    private volatile boolean triggered;
    private volatile Status status = new Status(false, false, null, 0, 0, null, null, null, null, null);

    public RoundLoop(RoundLoopSettings settings, Map<String, Object> clientConfig, ModelsTopic models,
                     ModelRegistry registry, RoundRunner runner, RoundHistory history, RoundMetrics metrics,
                     RoundStage.Listener listener, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.trigger = new RoundTrigger(settings.minExamples(), settings.maxExamples(), settings.maxWait());
        this.recovery = new RoundRecovery(Set.of(settings.acceptedTopic(), settings.releasedTopic()));
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
            decisions = new DecisionsFollower(settings.decisionsTopic(), clientConfig);
            parked = new ParkedExamples(settings.parkedTopic(), clientConfig, "knowgate-trainer-parked-" + settings.instanceId());
            recover();
            // Released examples have a topic of their own: one waiting for the budget holds up only
            // released examples behind it, never the accepted ones.
            consumer.subscribe(List.of(settings.acceptedTopic(), settings.releasedTopic()), new Rebalance());
            started = true;
            while (!closing) {
                applyPause();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    add(r);
                }
                decisions.poll();
                if (recovered != null) {
                    resumeRecovered();
                } else if (round != null) {
                    if (round.training != null) {
                        if (round.training.isDone()) {
                            trained();
                        }
                    } else {
                        awaitDecision();
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
            if (decisions != null) {
                decisions.close();
            }
            if (parked != null) {
                parked.close();
            }
        }
    }

    // ---- API (any thread) ----

    public Status status() {
        Status s = status; // pause and resume show at once, not after the loop's next turn
        return new Status(s.started(), paused, pauseReason, s.pending(), s.trainable(), s.roundInProgress(),
                s.liveVersion(), s.oldestPendingAgeMs(), s.startupError(), s.awaitingDecision());
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

    /**
     * Stops the loop; a round in training is interrupted and stops at its next step (nothing is
     * published, nothing committed: a restart trains it again). Returns once the round's thread has
     * ended, so that no native training code runs while the process exits.
     */
    @Override
    public void close() {
        closing = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        roundThread.shutdownNow();
        try {
            if (!roundThread.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("the round in training did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- consumer thread: a round's life ----

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
                } else if (name != null && !c.verdict().model().equals(name)) {
                    // Judged by another lineage's model (categorize-stream started on another initial model):
                    // filtered by what that model knows, so no training data for this one.
                    skip = "other_lineage";
                    if (otherLineages.add(c.verdict().model())) {
                        LOG.warnf("examples judged by %s, not by this trainer's lineage %s, are skipped"
                                + " (give categorize-stream and the trainer the same initial model)", c.verdict().modelKey(), name);
                    }
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
        pending.add(new PendingRecords.Pending(new TopicPartition(r.topic(), r.partition()), r.offset(), r.key(), r.value(),
                example, clock.instant()));
    }

    private boolean roundDue() {
        return trigger.due(pending.size(), pending.count(this::trainable), pending.oldest(), triggered, clock.instant());
    }

    private boolean trainable(PendingRecords.Pending p) {
        return p.example() != null && !p.example().released() && runner.mixerPolicy().categories().contains(p.example().category());
    }

    private static boolean released(PendingRecords.Pending p) {
        return p.example() != null && p.example().released();
    }

    private void startRound() {
        triggered = false;
        List<PendingRecords.Pending> taken = pending.take(settings.maxExamples(), settings.releasedShare(),
                RoundLoop::released, this::trainable);
        if (taken.isEmpty()) {
            return; // only released examples beyond the budget are pending: they wait for examples to go with
        }
        long waiting = pending.count(RoundLoop::released) - taken.stream().filter(RoundLoop::released).count();
        if (waiting > 0) {
            LOG.infof("%d released examples wait for a later round (knowgate.trainer.released.budget=%s)", waiting,
                    settings.releasedShare());
        }
        Set<TopicPartition> assigned = consumer.assignment();
        round = new Round("round-" + clock.millis() + "-" + roundSeq.incrementAndGet(), taken,
                pending.start(assigned, consumer::position), pending.end(assigned, taken, consumer::position), 0);
        train();
    }

    /** Trains the round (again, after a rejection) from the live version, as the next version number. */
    private void train() {
        followLive();
        List<RoundExample> examples = round.taken.stream().map(PendingRecords.Pending::example).filter(e -> e != null).toList();
        consumer.pause(consumer.assignment());
        long version = highestVersion + 1;
        highestVersion = version; // a rejected version keeps its number: the next one is always higher
        ModelFolder parent = live;
        int attempt = round.attempt;
        RoundRecord record = RoundRecord.started(round.attemptId(), parent.manifest().key(), round.source(), attempt,
                clock.instant());
        round.record = record;
        round.candidate = null;
        history.put(record);
        dev.knowgate.trainer.backend.RoundDataset.Retry retry = settings.gate().retry(attempt);
        LOG.infof("%s: %d examples from %s, training %s@%d%s", record.id(), round.taken.size(), parent.manifest().key(),
                name, version, attempt == 0 ? "" : String.format(java.util.Locale.ROOT,
                        " (retry %d of a rejected round: learning rate x%.2f, self-distillation x%.1f)", attempt,
                        retry.learningRateScale(), retry.distillScale()));
        Round training = round;
        round.training = roundThread.submit(() -> runner.run(record, examples, parent, version, retry, r -> {
            training.record = r;
            history.put(r);
        }));
    }

    private void trained() {
        RoundRunner.Result result;
        try {
            result = round.training.get();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.errorf(cause, "%s failed; nothing published, offsets not committed, consumption paused", round.record.id());
            RoundRecord failed = round.record.finished(RoundStatus.FAILED, null, cause.toString(), clock.instant());
            history.put(failed);
            metrics.round(failed);
            pause(round.record.id() + " failed: " + cause.getMessage() + " (resume to retry)");
            round = null; // its records stay pending: resuming trains them again
            try {
                // The number is free again unless the failed round left a folder with it (a restart removes that).
                highestVersion = Math.max(lineage.stream().mapToLong(ModelVersion::version).max().orElse(0),
                        registry.versions(name).stream().mapToLong(Long::longValue).max().orElse(0));
            } catch (java.io.IOException io) {
                LOG.warnf("listing the registry failed: %s", io.getMessage());
            }
            return;
        }
        round.training = null;
        round.record = result.record();
        history.put(result.record());
        if (result.published() == null) {
            LOG.infof("%s: nothing to train on (%s); offsets committed", result.record().id(), result.record().plan().skipped());
            highestVersion--; // no version was made with the number
            commitAndFinish(result.record());
            return;
        }
        round.candidate = result.published();
        highestVersion = Math.max(highestVersion, round.candidate.manifest().version());
        RoundRecord.Training t = result.record().training();
        LOG.infof("%s published candidate %s (dev accuracy %s -> %s, %d epochs, %.0f tokens/s); awaiting its decision",
                result.record().id(), round.candidate.manifest().key(), t.devAccuracyBefore(), t.devAccuracy(), t.epochs(),
                t.tokensPerSecond());
        awaitDecision();
    }

    /** Acts on the decision about the round's candidate, once there is one. */
    private void awaitDecision() {
        ModelVersion candidate = round.candidate.manifest();
        Optional<ModelDecision> d = decisions.ledger().decision(candidate.name(), candidate.version());
        if (d.isEmpty()) {
            return;
        }
        String why = d.get().status().wireName() + " by " + d.get().decidedBy() + ": " + d.get().reason();
        if (d.get().promoted()) {
            LOG.infof("%s promoted; the next round trains from it", candidate.key());
            live = round.candidate;
            metrics.live(candidate);
            commitAndFinish(round.record.decided(RoundStatus.PROMOTED, why, clock.instant()));
            return;
        }
        if (settings.gate().retries(round.attempt)) {
            RoundRecord rejected = round.record.decided(RoundStatus.REJECTED, why, clock.instant());
            history.put(rejected);
            metrics.round(rejected);
            LOG.infof("%s rejected (%s); training its examples again", candidate.key(), d.get().reason());
            round.attempt++;
            train();
            return;
        }
        park(d.get(), why);
    }

    /**
     * Parks the round's trainable examples, returns its released ones to the quarantine queue with the
     * rejection as evidence (a decision on quarantine.decisions, which categorize-stream applies), and
     * commits its offsets, in one transaction.
     */
    private void park(ModelDecision d, String why) {
        List<ParkedExamples.Parked> records = round.taken.stream().filter(this::trainable)
                .map(p -> new ParkedExamples.Parked(p.key(), p.value())).toList();
        List<ParkedExamples.Returned> returned = round.taken.stream().filter(RoundLoop::released)
                .map(p -> ParkedExamples.returned(p.value(), d, round.attempt + 1, clock.instant())).toList();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        round.end.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
        parked.park(records, returned, settings.quarantineDecisionsTopic(), d.key(), d.reason(), round.attempt + 1, offsets,
                consumer.groupMetadata());
        listener.reached(RoundStage.COMMITTED, round.record.id());
        LOG.infof("%s rejected after %d training(s): %d examples parked on %s, %d released examples returned to the"
                + " quarantine queue, offsets committed", d.key(), round.attempt + 1, records.size(), settings.parkedTopic(),
                returned.size());
        finish(round.record.decided(RoundStatus.PARKED, why + "; " + records.size() + " examples parked"
                + (returned.isEmpty() ? "" : ", " + returned.size() + " released examples returned to the quarantine"), clock.instant()));
    }

    private void commitAndFinish(RoundRecord record) {
        try {
            commit(round.end);
            listener.reached(RoundStage.COMMITTED, record.id());
        } catch (RuntimeException e) {
            // The version is decided; a restart recognises it and commits these offsets.
            LOG.errorf(e, "%s: committing offsets failed after the decision", record.id());
        }
        finish(record);
    }

    private void finish(RoundRecord record) {
        history.put(record);
        metrics.round(record);
        pending.committed(round.taken, round.end);
        round = null;
        consumer.resume(consumer.assignment());
    }

    /** The lineage's live version (the last promoted) is what the next round trains from; the base until one is. */
    private void followLive() {
        Optional<ModelDecision> promoted = decisions.ledger().live(name);
        if (promoted.isEmpty() || promoted.get().modelVersion() == live.manifest().version()) {
            return;
        }
        try {
            live = registry.origin().open(name, promoted.get().modelVersion());
            metrics.live(live.manifest());
            LOG.infof("training from %s, the live version", live.manifest().key());
        } catch (ModelFolderException e) {
            LOG.errorf("cannot train from the live version %s: %s; staying with %s", promoted.get().key(), e.getMessage(),
                    live.manifest().key());
        }
    }

    private void commit(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
        consumer.commitSync(commit);
    }

    private void applyPause() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (paused || round != null) {
            consumer.pause(assigned);
        } else {
            consumer.resume(assigned);
        }
    }

    private void publishStatus(String startupError) {
        Long age = pending.isEmpty() ? null : Duration.between(pending.oldest(), clock.instant()).toMillis();
        Round r = round;
        String inProgress = r != null && r.record != null ? r.record.id() : recovered != null ? recovered.roundId() : null;
        String awaiting = r != null && r.candidate != null ? r.candidate.manifest().key()
                : recovered != null ? recovered.candidate().manifest().key() : null;
        status = new Status(started, paused, pauseReason, pending.size(), (int) pending.count(this::trainable), inProgress,
                live == null ? null : live.manifest().key(), age, startupError, awaiting);
        metrics.pending(pending.size(), paused);
    }

    // Recovery: what a crash left, at start and on every assignment.

    private void recover() throws Exception {
        ModelFolder initial = ModelFolder.open(settings.initialModel());
        name = initial.manifest().name();
        registry.cleanStaging(name);
        List<ModelVersion> announced = models.readAll(Duration.ofSeconds(60)).stream().filter(v -> v.name().equals(name)).toList();
        lineage = verified(announced);
        if (lineage.isEmpty()) {
            ModelFolder registered = registry.register(initial);
            models.publish(registered.manifest().withLocation(registered.dir().toString()));
            LOG.infof("registered the base model %s and published it", registered.manifest().key());
            lineage = List.of(registered.manifest().withLocation(registered.dir().toString()));
        }
        decisions.readToEnd(Duration.ofSeconds(60));
        // Over every announcement, verified or not: a new version never reuses a number already announced.
        highestVersion = Math.max(lineage.stream().mapToLong(ModelVersion::version).max().orElseThrow(),
                announced.stream().mapToLong(ModelVersion::version).max().orElse(0));
        base = open(lineage.stream().min(Comparator.comparingLong(ModelVersion::version)).orElseThrow());
        live = base;
        followLive();
        for (long v : registry.versions(name)) {
            if (v > highestVersion) {
                orphans.add(v);
            }
        }
        metrics.live(live.manifest());
    }

    private ModelFolder open(ModelVersion v) throws ModelFolderException {
        return registry.origin().open(v);
    }

    /**
     * The announced versions that are this registry's own and signed by a trusted key: anyone who can
     * write to the models topic can announce a version, but only these are built on. The rest are
     * logged and ignored.
     */
    private List<ModelVersion> verified(List<ModelVersion> announced) {
        List<ModelVersion> kept = new ArrayList<>();
        for (ModelVersion v : announced) {
            try {
                open(v);
                kept.add(v);
            } catch (ModelFolderException e) {
                LOG.warnf("ignoring %s from the models topic (%s): %s", v.key(), e.problem().name().toLowerCase(java.util.Locale.ROOT),
                        e.getMessage());
            }
        }
        return List.copyOf(kept);
    }

    /**
     * On assignment: act on what a crash left ({@link RoundRecovery} decides). Unannounced versions
     * are announced or removed; the round whose version is announced for offsets beyond the
     * committed ones is taken up again once its records are read.
     */
    private void reconcile(Collection<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
            positions.put(tp, consumer.position(tp));
        }
        if (!orphans.isEmpty()) {
            Set<TopicPartition> all = new HashSet<>();
            for (String topic : List.of(settings.acceptedTopic(), settings.releasedTopic())) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                    all.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            SortedMap<Long, RoundRunner.RoundOffsets> found = new TreeMap<>();
            for (long v : orphans) {
                found.put(v, RoundRunner.offsets(registry.folder(name, v)));
            }
            RoundRecovery.Orphans verdict = recovery.orphans(found, highestVersion, partitions.containsAll(all), positions);
            for (long v : verdict.announce()) {
                ModelFolder orphan = registry.origin().open(name, v);
                ModelVersion announced = orphan.manifest().withLocation(orphan.dir().toString());
                models.publish(announced);
                List<ModelVersion> next = new ArrayList<>(lineage);
                next.add(announced);
                lineage = List.copyOf(next);
                highestVersion = v;
                LOG.infof("%s was installed before a crash; published it now, without training again", announced.key());
            }
            for (long v : verdict.remove()) {
                LOG.warnf("removing %s: in the registry but never published, and not trained from the committed offsets",
                        registry.folder(name, v));
                registry.delete(name, v);
            }
            orphans.clear();
        }
        Optional<ModelVersion> interrupted = recovery.interrupted(lineage, positions);
        if (interrupted.isPresent() && recovered == null && round == null) {
            ModelVersion v = interrupted.get();
            ModelFolder folder = open(v);
            RoundRunner.RoundOffsets offsets = RoundRunner.offsets(folder.dir());
            int attempt = offsets == null ? 0 : offsets.attempt();
            recovered = new Recovered(v.round().roundId(), recovery.partitions(v.round().sourceOffsets()), folder, attempt);
            RoundRecord r = RoundRecord.recovered(v.round().roundId(), v.key(), attempt,
                    "published before a crash; its decision is awaited or acted on now, without training again",
                    clock.instant());
            history.put(r);
            metrics.round(r);
            LOG.infof("recognised %s (%s) from before a crash: reading its examples again, then acting on its decision",
                    v.round().roundId(), v.key());
        }
        pending.assigned(positions);
        LOG.infof("trainer ready: live %s, reading %s and %s from %s", live.manifest().key(), settings.acceptedTopic(),
                settings.releasedTopic(),
                RoundRecovery.keyed(positions));
    }

    /** Once the interrupted round's records are read again, it continues where it stopped: awaiting its decision. */
    private void resumeRecovered() {
        for (Map.Entry<TopicPartition, Long> e : recovered.end().entrySet()) {
            if (consumer.assignment().contains(e.getKey()) && consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        List<PendingRecords.Pending> taken = pending.below(recovered.end());
        Map<TopicPartition, Long> start = pending.start(consumer.assignment(), consumer::position);
        Map<TopicPartition, Long> end = new HashMap<>(start);
        end.putAll(recovered.end());
        round = new Round(recovered.roundId(), taken, start, end, recovered.attempt());
        round.candidate = recovered.candidate();
        round.record = RoundRecord.started(round.attemptId(), null, round.source(), round.attempt, clock.instant())
                .awaiting(round.candidate.manifest().key(), null);
        recovered = null;
        consumer.pause(consumer.assignment());
        awaitDecision();
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
            if (round == null) {
                pending.revoked(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            try {
                reconcile(partitions);
            } catch (Exception e) {
                throw new IllegalStateException("recovering the trainer's state failed: " + e.getMessage(), e);
            }
            if (paused || round != null) {
                consumer.pause(partitions);
            }
        }
    }
}
