package dev.knowgate.trainer.torch;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TorchRuntime;
import dev.knowgate.trainer.KnownFacts;
import dev.knowgate.trainer.backend.CommandBackend;
import dev.knowgate.trainer.registry.ModelRegistry;
import dev.knowgate.trainer.registry.ModelsTopic;
import dev.knowgate.trainer.round.GatePolicy;
import dev.knowgate.trainer.round.MixPolicy;
import dev.knowgate.trainer.round.RoundHistory;
import dev.knowgate.trainer.round.RoundLoop;
import dev.knowgate.trainer.round.RoundLoopSettings;
import dev.knowgate.trainer.round.RoundTopics;
import dev.knowgate.trainer.round.RoundMetrics;
import dev.knowgate.trainer.round.RoundMixer;
import dev.knowgate.trainer.round.RoundRunner;
import dev.knowgate.trainer.round.RoundStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The trainer's round loop on a real broker with the command backend running bin/torch-finetune: torchrun
 * with 2 workers (DistributedDataParallel, gloo, CPU). The first attempt's rank 1 SIGKILLs itself at its
 * second step (the script's KNOWGATE_TORCH_KILL_AT_STEP hook, once): torchrun fails, the round fails
 * cleanly (nothing published, nothing committed, no version in the registry, consumption paused). Resumed,
 * the same examples train on both workers into knowgate-base@2, which verifies and is categorized through
 * categorize-stream's path (ModelFolder, ONNX Runtime, exact SliCK); promoted, its offsets are committed.
 */
class TorchRoundOnBrokerTest {

    @TempDir
    Path tmp;

    @Test
    void aKilledWorkerFailsTheRoundCleanlyAndTheRetryPublishesAVersionThatLoads() throws Exception {
        TorchRuntime.assume();
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        String suffix = Long.toString(System.nanoTime());
        String accepted = "torch-accepted-" + suffix;
        String modelsTopic = "torch-models-" + suffix;
        String decisions = "torch-decisions-" + suffix;
        String parkedTopic = "torch-parked-" + suffix;
        String group = "torch-trainer-" + suffix;
        String releasedTopic = "torch-released-" + suffix;
        try (Admin admin = RoundTopics.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(accepted, 2, (short) 1), new NewTopic(releasedTopic, 2, (short) 1), new NewTopic(modelsTopic, 1, (short) 1),
                    new NewTopic(decisions, 1, (short) 1), new NewTopic(parkedTopic, 2, (short) 1))).all().get();
        }
        List<CategorizedExample> examples = KnownFacts.categorized(KnownFacts.BASE, 40);
        RoundTopics.send(bootstrap, accepted, examples);

        Path killed = tmp.resolve("rank1-killed");
        String line = "env KNOWGATE_TORCH_KILL_AT_STEP=2 KNOWGATE_TORCH_KILL_ONCE=" + killed + " " + TorchRuntime.LAUNCHER
                + " --nproc 2 -- --train {train} --dev {dev} --parent {parent} --out {out} --epochs 2";
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        ModelsTopic models = new ModelsTopic(modelsTopic, client);
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"),
                tmp.resolve("keys/signing.pub"));
        MixPolicy mix = new MixPolicy(EnumSet.of(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN),
                Map.of(), 0.1, 0.1);
        RoundRunner runner = new RoundRunner(registry, models, new CommandBackend(line, Duration.ofMinutes(5)),
                new RoundMixer(mix), (stage, round) -> { }, Clock.systemUTC());
        RoundHistory history = new RoundHistory();
        // Every example is on the topic before the loop starts: the round starts when the oldest has waited 3 s.
        RoundLoopSettings settings = RoundLoopSettings.builder().acceptedTopic(accepted).groupId(group)
                .instanceId("torch-" + suffix).initialModel(KnownFacts.BASE).minExamples(10_000).maxExamples(10_000)
                .maxWait(Duration.ofSeconds(3)).startPaused(false).decisionsTopic(decisions).parkedTopic(parkedTopic)
                .gate(GatePolicy.defaults()).releasedTopic(releasedTopic).releasedShare(0.1).quarantineDecisionsTopic("torch-returns-" + suffix).build();
        RoundLoop loop = new RoundLoop(settings, client, models,
                registry, runner, history, new RoundMetrics(new SimpleMeterRegistry()), (stage, round) -> { }, Clock.systemUTC());
        Thread thread = new Thread(loop, "trainer-rounds");
        thread.start();
        try {
            // 1. A worker killed mid-round: the round fails, and nothing leaves it.
            RoundLoop.Status failed = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(loop::status, s -> s.paused() && s.pauseReason() != null);
            assertThat(Files.exists(killed)).as("rank 1 killed itself").isTrue();
            assertThat(failed.pauseReason()).contains("failed").contains("training command exited with");
            assertThat(history.newestFirst()).extracting(r -> r.status()).containsExactly(RoundStatus.FAILED);
            assertThat(RoundTopics.versions(bootstrap, modelsTopic)).extracting(ModelVersion::key).containsExactly("knowgate-base@1");
            assertThat(RoundTopics.committed(bootstrap, group)).as("nothing consumed").isEmpty();
            assertThat(registry.versions("knowgate-base")).containsExactly(1L);

            // 2. The next attempt (the operator's resume) trains the same examples on both workers.
            loop.resume();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> RoundTopics.versions(bootstrap, modelsTopic).size() == 2);
            ModelVersion v2 = RoundTopics.versions(bootstrap, modelsTopic).get(1);
            assertThat(v2.key()).isEqualTo("knowgate-base@2");
            assertThat(v2.parent()).isEqualTo(1L);
            assertThat(v2.round().epochs()).isEqualTo(2);
            Map<String, Long> end = new java.util.HashMap<>(RoundTopics.ends(bootstrap, accepted));
            end.putAll(RoundTopics.ends(bootstrap, releasedTopic)); // read too, and empty: committed at 0
            assertThat(v2.round().sourceOffsets()).isEqualTo(end);
            assertThat(RoundTopics.committed(bootstrap, group)).as("nothing committed before the decision").isEmpty();
            String trainingLog = Files.readString(Path.of(v2.location()).resolve("training-log.json"));
            assertThat(trainingLog).contains("\"backend\": \"torchrun\"").contains("\"workers\": 2");

            // 3. It loads the way categorize-stream loads a version: verified, then exact SliCK under it.
            ModelFolder folder = ModelFolder.open(Path.of(v2.location()));
            assertThat(folder.manifest().parent()).isEqualTo(1L);
            List<Example> some = examples.stream().map(CategorizedExample::example).limit(10).toList();
            List<CategorizedExample> under2 = KnownFacts.categorized(folder.dir(), some);
            assertThat(under2).hasSize(10).allSatisfy(c -> assertThat(c.verdict().modelVersion()).isEqualTo(2L));

            // 4. Promoted: the round's offsets are committed.
            RoundTopics.decide(bootstrap, decisions, v2, DecisionStatus.PROMOTED);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(RoundTopics.committed(bootstrap, group)).isEqualTo(end));
        } finally {
            loop.close();
            thread.join(30_000);
        }
    }







}
