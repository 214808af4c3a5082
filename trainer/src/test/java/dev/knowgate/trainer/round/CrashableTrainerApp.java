package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.trainer.backend.DjlBackend;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.trainer.registry.ModelRegistry;
import dev.knowgate.trainer.registry.ModelsTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

/**
 * The trainer's round loop in a JVM of its own, for {@link TrainerCrashTest}: it halts the JVM
 * (no shutdown hooks, no flush, like a SIGKILL) when a round reaches the stage named in its
 * arguments, or runs on with "none".
 *
 * <p>args: bootstrap acceptedTopic modelsTopic groupId registryDir initialModel haltStage|none maxWaitSeconds
 * decisionsTopic parkedTopic
 */
public final class CrashableTrainerApp {

    public static void main(String[] args) throws Exception {
        dev.knowgate.testing.ChildJvm.logToStdout(); // Kafka's lines in the log a failed test prints
        String bootstrap = args[0];
        String accepted = args[1];
        String modelsTopic = args[2];
        String group = args[3];
        Path registryDir = Path.of(args[4]);
        Path initial = Path.of(args[5]);
        String halt = args[6];
        Duration maxWait = Duration.ofSeconds(Long.parseLong(args[7]));
        String decisions = args[8];
        String parkedTopic = args[9];
        String releasedTopic = args[10];
        String returnsTopic = args[11];
        RoundStage.Listener listener = (stage, roundId) -> {
            System.out.println("STAGE " + stage + " " + roundId);
            System.out.flush();
            if (stage.name().equals(halt)) {
                Runtime.getRuntime().halt(137);
            }
        };
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        ModelsTopic models = new ModelsTopic(modelsTopic, client);
        ModelRegistry registry = ModelRegistry.withLocalKey(registryDir, registryDir.resolveSibling("keys/signing.key"),
                registryDir.resolveSibling("keys/signing.pub"));
        MixPolicy mix = new MixPolicy(EnumSet.of(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN),
                Map.of(), 0.1, 0.1);
        DjlBackend backend = new DjlBackend(new FineTuneConfig(2, 16, 1e-3f, 0f, 1.0, FrozenGroups.none(), 2, 1L), 1);
        RoundRunner runner = new RoundRunner(registry, models, backend, new RoundMixer(mix), listener, Clock.systemUTC());
        RoundLoopSettings settings = RoundLoopSettings.builder().acceptedTopic(accepted).groupId(group)
                .instanceId("crash-app-" + group).initialModel(initial).minExamples(10_000).maxExamples(10_000)
                .maxWait(maxWait).startPaused(false).decisionsTopic(decisions).parkedTopic(parkedTopic)
                .gate(GatePolicy.defaults()).releasedTopic(releasedTopic).releasedShare(0.1).quarantineDecisionsTopic(returnsTopic).build();
        RoundLoop loop = new RoundLoop(settings, client, models, registry, runner,
                new RoundHistory(), new RoundMetrics(new SimpleMeterRegistry()), listener, Clock.systemUTC());
        Thread t = new Thread(loop, "trainer-rounds");
        t.start();
        String last = "";
        while (t.isAlive()) {
            RoundLoop.Status s = loop.status();
            String line = "STATUS started=" + s.started() + " pending=" + s.pending() + " live=" + s.liveVersion()
                    + " awaiting=" + s.awaitingDecision() + " paused=" + s.paused() + " error=" + s.startupError();
            if (!line.equals(last)) {
                System.out.println(line);
                last = line;
            }
            t.join(1_000);
        }
    }
}
