package dev.knowgate.trainer.service;

import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.trainer.TrainerConfig;
import dev.knowgate.trainer.backend.CommandBackend;
import dev.knowgate.trainer.backend.DjlBackend;
import dev.knowgate.trainer.backend.TrainingBackend;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.model.registry.ManifestSigner;
import dev.knowgate.model.registry.RegistryOrigin;
import dev.knowgate.model.registry.TrustedKeys;
import dev.knowgate.trainer.registry.ModelRegistry;
import dev.knowgate.trainer.registry.ModelsTopic;
import dev.knowgate.trainer.round.GatePolicy;
import dev.knowgate.trainer.round.MixPolicy;
import dev.knowgate.trainer.round.RoundHistory;
import dev.knowgate.service.worker.Supervisor;
import dev.knowgate.service.worker.Workers;
import dev.knowgate.trainer.round.RoundLoop;
import dev.knowgate.trainer.round.RoundLoopSettings;
import dev.knowgate.trainer.round.RoundMetrics;
import dev.knowgate.trainer.round.RoundMixer;
import dev.knowgate.trainer.round.RoundRunner;
import dev.knowgate.trainer.round.RoundStage;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the trainer from its configuration at start-up and runs its round loop on its own thread. */
@ApplicationScoped
public class TrainerService {

    /** The consumer group of the trainer on examples.accepted. */
    public static final String GROUP_ID = "knowgate-trainer";

    private final TrainerConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry meters;
    private final RoundHistory history = new RoundHistory();
    private volatile TrainingBackend backend;
    private volatile RoundLoop loop;
    private volatile ModelsTopic models;

    @Inject
    Workers workers;

    @Inject
    public TrainerService(TrainerConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                          MeterRegistry meters) {
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        this.meters = meters;
    }

    void onStart(@Observes StartupEvent event) {
        backend = backend(config);
        models = new ModelsTopic(Topics.MODELS.name(), kafkaConfig);
        TrainerConfig.Round r = config.round();
        MixPolicy mix = MixPolicy.parse(config.mix().categories(), config.mix().maxShare(), config.mix().replayShare(),
                r.devShare());
        ModelRegistry registry = registry(config.registry());
        RoundRunner runner = new RoundRunner(registry, models, backend,
                new RoundMixer(mix), RoundStage.Listener.NONE, Clock.systemUTC());
        GatePolicy gate = GatePolicy.parse(config.gate().onReject(), config.gate().maxRetries(),
                config.gate().retryDistillFactor(), config.gate().retryLearningRateFactor());
        RoundLoopSettings settings = RoundLoopSettings.builder().acceptedTopic(Topics.EXAMPLES_ACCEPTED.name())
                .groupId(GROUP_ID).instanceId(config.instanceId()).initialModel(config.model().initial())
                .minExamples(r.minExamples()).maxExamples(r.maxExamples()).maxWait(r.maxWait()).startPaused(r.startPaused())
                .decisionsTopic(Topics.MODELS_DECISIONS.name()).parkedTopic(Topics.EXAMPLES_PARKED.name()).gate(gate)
                .releasedTopic(Topics.EXAMPLES_RELEASED.name()).releasedShare(config.released().budget()).quarantineDecisionsTopic(Topics.QUARANTINE_DECISIONS.name())
                .build();
        loop = new RoundLoop(settings, kafkaConfig, models,
                registry, runner, history, new RoundMetrics(meters), RoundStage.Listener.NONE, Clock.systemUTC());
        // Supervised, but not restarted in-process: the loop's recovery from a failure is its start-up
        // path (recover() from the models topic and committed offsets), so a loop that stopped on an
        // error turns liveness DOWN and the orchestrator restarts the process.
        RoundLoop started = loop;
        workers.start("trainer-rounds", () -> {
            started.run();
            String error = started.status() == null ? null : started.status().startupError();
            if (error != null) {
                throw new IllegalStateException("the round loop stopped: " + error);
            }
        }, new Supervisor.Policy(Duration.ZERO, Duration.ZERO, 1, Duration.ofMinutes(5)));
    }

    /**
     * The registry with its signing key. The trainer trusts its own public key (and any listed in
     * trusted-keys); a key that its own trust does not verify would publish versions nobody loads, so
     * it stops the start.
     */
    static ModelRegistry registry(TrainerConfig.Registry r) {
        ManifestSigner signer;
        try {
            signer = r.generateKey() ? ManifestSigner.loadOrGenerate(r.signingKey(), r.publicKey()) : ManifestSigner.load(r.signingKey());
        } catch (IOException e) {
            throw new IllegalStateException("knowgate.trainer.registry.signing-key: " + e.getMessage(), e);
        }
        RegistryOrigin.KeySource trusted = () -> {
            TrustedKeys own = TrustedKeys.load(r.publicKey());
            return r.trustedKeys().isPresent() ? own.and(TrustedKeys.load(r.trustedKeys().get())) : own;
        };
        try {
            if (!signer.isTrustedBy(trusted.get())) {
                throw new IllegalStateException("knowgate.trainer.registry.signing-key " + r.signingKey()
                        + " is not the key of public-key " + r.publicKey() + " (nor of trusted-keys): its versions would be refused");
            }
        } catch (IOException e) {
            throw new IllegalStateException("knowgate.trainer.registry.public-key: " + e.getMessage(), e);
        }
        return new ModelRegistry(r.dir(), signer, trusted);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
        if (models != null) {
            models.close();
        }
    }

    /** The configured backend: djl (FineTuner) or command (an external training command). */
    public static TrainingBackend backend(TrainerConfig config) {
        String kind = config.backend().kind().trim().toLowerCase(Locale.ROOT);
        if (kind.equals("djl") && config.released().budget() > 0 && config.finetune().distillLambda() <= 0) {
            // Released examples are facts the model does not know: trained without self-distillation
            // they cost what Gekhman et al. measured (docs/curators.md).
            throw new IllegalArgumentException("knowgate.trainer.released.budget=" + config.released().budget()
                    + " trains released examples, which needs self-distillation on: set knowgate.trainer.finetune.distill-lambda"
                    + " above 0, or the budget to 0");
        }
        return switch (kind) {
            case "djl" -> new DjlBackend(fineTuneConfig(config.finetune()), config.finetune().threads());
            case "command" -> new CommandBackend(config.backend().command().line().orElseThrow(() ->
                    new IllegalArgumentException("knowgate.trainer.backend.kind=command needs knowgate.trainer.backend.command.line")),
                    config.backend().command().timeout());
            default -> throw new IllegalArgumentException("knowgate.trainer.backend.kind must be djl or command, got " + kind);
        };
    }

    public static FineTuneConfig fineTuneConfig(TrainerConfig.Finetune f) {
        return new FineTuneConfig(f.epochs(), f.batchSize(), f.learningRate(), f.weightDecay(), f.distillLambda(),
                FrozenGroups.parse(f.freeze().orElse(List.of())), f.patience(), f.seed());
    }

    public RoundLoop loop() {
        return loop;
    }

    public RoundHistory history() {
        return history;
    }

    public TrainingBackend backend() {
        return backend;
    }
}
