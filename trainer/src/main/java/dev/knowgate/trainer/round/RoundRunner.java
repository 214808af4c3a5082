package dev.knowgate.trainer.round;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.LearnedCount;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.backend.RoundDataset;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.backend.TrainingBackend;
import dev.knowgate.trainer.backend.TrainingOutcome;
import dev.knowgate.trainer.registry.ModelRegistry;
import dev.knowgate.trainer.registry.ModelsTopic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one training of a round off the consumer thread: plan (mixing, dev split, replay), train with
 * the backend into a staging folder, write the round's dataset and offsets into it, measure what the
 * new version learned, install it in the registry (seal, contract check, atomic rename), and publish
 * it on the models topic as a candidate. The {@link RoundLoop} then waits for the decision on it and
 * commits the round's offsets once it is decided.
 */
public final class RoundRunner {

    /** The round's own files inside the version folder: its dataset and offsets. */
    public static final String ROUND_DIR = "round";
    public static final String TRAIN_FILE = ROUND_DIR + "/train.jsonl";
    public static final String DEV_FILE = ROUND_DIR + "/dev.jsonl";
    public static final String OFFSETS_FILE = ROUND_DIR + "/offsets.json";
    /** How many earlier versions' training sets the replay draws from. */
    static final int REPLAY_VERSIONS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The offsets a round read from and up to, and which training of it this was (0 first, n the
     * n-th retry after a rejection); kept in the version so a restart can recognise it.
     */
    public record RoundOffsets(String roundId, Map<String, Long> start, Map<String, Long> end, int attempt) {
    }

    /** How a round's training ended: a published candidate version, or none (nothing to train on). */
    public record Result(RoundRecord record, ModelFolder published) {
    }

    private final ModelRegistry registry;
    private final ModelsTopic models;
    private final TrainingBackend backend;
    private final RoundMixer mixer;
    private final RoundStage.Listener listener;
    private final Clock clock;

    public RoundRunner(ModelRegistry registry, ModelsTopic models, TrainingBackend backend, RoundMixer mixer,
                       RoundStage.Listener listener, Clock clock) {
        this.clock = clock;
        this.registry = registry;
        this.models = models;
        this.backend = backend;
        this.mixer = mixer;
        this.listener = listener;
    }

    public TrainingBackend backend() {
        return backend;
    }

    public MixPolicy mixerPolicy() {
        return mixer.policy();
    }

    /** A round's first training. */
    public Result run(RoundRecord record, List<RoundExample> consumed, ModelFolder parent, long version,
                      Consumer<RoundRecord> progress) throws Exception {
        return run(record, consumed, parent, version, RoundDataset.Retry.NONE, progress);
    }

    /**
     * @param version      the number the new version gets
     * @param retry        which training of the round this is (a retry after a rejection trains differently)
     * @param progress     sees the record as the round goes (planned, trained)
     */
    public Result run(RoundRecord record, List<RoundExample> consumed, ModelFolder parent, long version,
                      RoundDataset.Retry retry, Consumer<RoundRecord> progress) throws Exception {
        long t0 = System.nanoTime();
        ModelVersion p = parent.manifest();
        java.util.Set<String> trainedBefore = new java.util.HashSet<>();
        LearnedFacts.lineage(registry, parent).forEach(e -> trainedBefore.add(e.id()));
        RoundPlan plan = mixer.plan(consumed, replayPool(p.name(), p.version()), trainedBefore, record.id());
        record = record.planned(plan);
        progress.accept(record);
        if (plan.isEmpty()) {
            return new Result(record.finished(RoundStatus.EMPTY, null, null, clock.instant()), null);
        }
        Path staging = registry.stage(p.name(), version);
        TrainingOutcome outcome = backend.train(new RoundDataset(record.id(), p.name(), version, plan.train(), plan.dev(),
                retry), parent, staging);
        record = record.trained(outcome);
        progress.accept(record);
        listener.reached(RoundStage.TRAINED, record.id());

        Files.createDirectories(staging.resolve(ROUND_DIR));
        RoundExample.writeJsonl(staging.resolve(TRAIN_FILE), plan.train());
        RoundExample.writeJsonl(staging.resolve(DEV_FILE), plan.dev());
        Files.write(staging.resolve(OFFSETS_FILE), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new RoundOffsets(record.id(), record.source().startOffsets(), record.source().endOffsets(), retry.attempt())));
        Instant created = clock.instant();
        RoundSummary unmeasured = summary(record, plan, outcome, t0, null, null);
        ModelFolder sealed = registry.seal(staging, parent, files -> manifest(p, version, files, created, unmeasured));
        // What this version learned: its round's new facts, and every fact along its promoted lineage.
        List<RoundExample> fresh = plan.train().stream().filter(e -> !e.replay()).toList();
        List<RoundExample> lineage = new ArrayList<>(LearnedFacts.lineage(registry, parent));
        java.util.Set<String> seen = new java.util.HashSet<>(lineage.stream().map(RoundExample::id).toList());
        fresh.stream().filter(e -> seen.add(e.id())).forEach(lineage::add);
        Map<Category, LearnedCount> learned = LearnedFacts.measure(sealed, fresh);
        Map<Category, LearnedCount> lineageLearned = LearnedFacts.measure(sealed, lineage);
        RoundSummary summary = summary(record, plan, outcome, t0, learned, lineageLearned);
        ModelFolder installed = registry.install(staging, parent, files -> manifest(p, version, files, created, summary));
        listener.reached(RoundStage.REGISTERED, record.id());

        models.publish(installed.manifest().withLocation(installed.dir().toString()));
        listener.reached(RoundStage.PUBLISHED, record.id());
        return new Result(record.awaiting(installed.manifest().key(), new RoundRecord.Knowledge(learned, lineageLearned)),
                installed);
    }

    private static RoundSummary summary(RoundRecord record, RoundPlan plan, TrainingOutcome outcome, long t0,
                                        Map<Category, LearnedCount> learned, Map<Category, LearnedCount> lineageLearned) {
        return new RoundSummary(record.id(), plan.byCategory(), plan.train().size(), outcome.epochs(), outcome.trainLoss(),
                outcome.devAccuracy(), (System.nanoTime() - t0) / 1_000_000, record.source().endOffsets(), learned, lineageLearned,
                plan.released());
    }

    private static ModelVersion manifest(ModelVersion parent, long version, List<ModelFile> files, Instant created,
                                         RoundSummary summary) {
        return new ModelVersion(SchemaVersions.CURRENT, parent.name(), version, parent.version(), parent.architecture(),
                files, parent.promptTemplate(), parent.answerTerminator(), created, summary, null);
    }

    /** Training examples of the lineage's latest versions up to {@code upTo}, replayed ones excepted. */
    List<RoundExample> replayPool(String name, long upTo) throws IOException {
        if (mixer.policy().replayShare() == 0) {
            return List.of();
        }
        List<RoundExample> pool = new ArrayList<>();
        List<Long> versions = registry.versions(name).stream().filter(v -> v <= upTo).toList();
        for (long v : versions.subList(Math.max(0, versions.size() - REPLAY_VERSIONS), versions.size())) {
            Path file = registry.folder(name, v).resolve(TRAIN_FILE);
            if (Files.isRegularFile(file)) {
                for (RoundExample e : RoundExample.readJsonl(file)) {
                    if (!e.replay()) {
                        pool.add(e);
                    }
                }
            }
        }
        return pool;
    }

    /** The offsets recorded in a version folder; null when it was not made by a round. */
    public static RoundOffsets offsets(Path versionDir) throws IOException {
        Path file = versionDir.resolve(OFFSETS_FILE);
        return Files.isRegularFile(file) ? JSON.readValue(file.toFile(), RoundOffsets.class) : null;
    }
}
