package dev.knowgate.trainer.round;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ParkedHeaders;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.trainer.KnownFacts;
import dev.knowgate.trainer.backend.RoundExample;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Kills the trainer (its round loop in a child JVM, halted like a SIGKILL) after each stage of a
 * round, restarts it, and checks the invariant: no example lost (the promoted version's dataset
 * holds every trainable example, and the group's offsets reach the end of the topic once it is
 * decided) and no version published twice (each key once on the models topic). The test plays the
 * monitor: it promotes or rejects the candidates on a decisions topic. A rejected round is trained
 * again from the last promoted version at a lower learning rate, and parked when the retry is
 * rejected too; the next round still starts from the last promoted version.
 */
class TrainerCrashTest {

    static final int EXAMPLES = 60;
    static List<CategorizedExample> examples;

    @TempDir
    Path tmp;

    @BeforeAll
    static void facts() throws Exception {
        examples = KnownFacts.categorized(KnownFacts.BASE, EXAMPLES);
    }

    @ParameterizedTest
    @EnumSource(value = RoundStage.class, names = {"TRAINED", "REGISTERED", "PUBLISHED"})
    void aCrashAfterAnyStageLosesNothingAndPublishesOnce(RoundStage stage) throws Exception {
        String suffix = stage.name().toLowerCase(Locale.ROOT);
        Topics t = topics(suffix);
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        RoundTopics.send(bootstrap, t.accepted(), examples);
        Path registry = tmp.resolve("registry");

        Path logs = Files.createDirectories(Path.of("target", "crash-test"));
        Path firstLog = logs.resolve(suffix + "-first.log");
        Process first = launch(bootstrap, t, registry, stage.name(), firstLog);
        if (!first.waitFor(2, TimeUnit.MINUTES)) {
            first.destroyForcibly().waitFor();
            fail("the first run did not halt at " + stage + ":\n" + Files.readString(firstLog));
        }
        assertThat(first.exitValue()).as(Files.readString(firstLog)).isEqualTo(137);
        assertThat(Files.readString(firstLog)).contains("STAGE " + stage.name());
        // What the crash left: a staging folder, an unannounced version, or an announced one with uncommitted offsets.
        assertThat(RoundTopics.committed(bootstrap, t.group())).isNotEqualTo(t.ends(bootstrap));
        if (stage == RoundStage.PUBLISHED) {
            // Decided while the trainer was down: the restart acts on it.
            decide(bootstrap, t, "knowgate-base@2", DecisionStatus.PROMOTED);
        }

        Path secondLog = logs.resolve(suffix + "-second.log");
        Process second = launch(bootstrap, t, registry, "none", secondLog);
        try {
            Map<String, Long> end = t.ends(bootstrap);
            if (stage != RoundStage.PUBLISHED) {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> announced(bootstrap, t).contains("knowgate-base@2"));
                assertThat(RoundTopics.committed(bootstrap, t.group())).as("nothing committed before the decision")
                        .isNotEqualTo(end);
                decide(bootstrap, t, "knowgate-base@2", DecisionStatus.PROMOTED);
            }
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(RoundTopics.committed(bootstrap, t.group())).isEqualTo(end));
        } finally {
            second.destroyForcibly().waitFor();
        }
        String log = Files.readString(secondLog);
        if (stage == RoundStage.TRAINED) {
            assertThat(log).as("retrained after losing the staging folder").contains("STAGE PUBLISHED");
        } else {
            assertThat(log).as("recognised, not trained again").doesNotContain("STAGE TRAINED");
        }

        List<ModelVersion> announced = RoundTopics.versions(bootstrap, t.models());
        assertThat(announced).extracting(ModelVersion::key).containsExactly("knowgate-base@1", "knowgate-base@2");
        ModelVersion v2 = announced.get(1);
        assertThat(v2.round().sourceOffsets()).isEqualTo(t.ends(bootstrap));
        ModelFolder folder = ModelFolder.open(Path.of(v2.location()));
        Set<String> inRound = new HashSet<>();
        for (String file : List.of(RoundRunner.TRAIN_FILE, RoundRunner.DEV_FILE)) {
            RoundExample.readJsonl(folder.dir().resolve(file)).stream().filter(e -> !e.replay())
                    .forEach(e -> inRound.add(e.id()));
        }
        Set<String> trainable = examples.stream().filter(c -> c.verdict().category() != Category.UNKNOWN)
                .map(c -> c.example().id()).collect(Collectors.toSet());
        assertThat(inRound).isEqualTo(trainable);
        try (Stream<Path> left = Files.list(registry.resolve("knowgate-base"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", "2");
        }
    }

    @org.junit.jupiter.api.Test
    void aRejectedRoundIsRetriedFromTheLastPromotedVersionThenParkedAndTheNextRoundStartsThereToo() throws Exception {
        Topics t = topics("rejected");
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        List<CategorizedExample> first = examples.subList(0, 40);
        RoundTopics.send(bootstrap, t.accepted(), first);
        // Four released examples: the round admits what the budget allows; a parked round returns them to the queue.
        List<CategorizedExample> released = examples.subList(40, EXAMPLES).stream()
                .filter(c -> c.verdict().category() == Category.UNKNOWN).limit(4)
                .map(c -> new CategorizedExample(c.example(), c.verdict(), dev.knowgate.contracts.Route.RELEASED)).toList();
        assertThat(released).hasSize(4);
        RoundTopics.send(bootstrap, t.released(), released);
        int admitted = Math.min(4, ReleaseBudget.admits(0.1, (int) first.stream()
                .filter(c -> c.verdict().category() != Category.UNKNOWN).count()));
        assertThat(admitted).isPositive().isLessThan(4);
        Path registry = tmp.resolve("registry");
        Path log = Files.createDirectories(Path.of("target", "crash-test")).resolve("rejected.log");
        Process trainer = launch(bootstrap, t, registry, "none", log);
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> announced(bootstrap, t).contains("knowgate-base@2"));
            decide(bootstrap, t, "knowgate-base@2", DecisionStatus.REJECTED);
            // The retry: the same examples, from v1 (the last promoted), at half the learning rate.
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> announced(bootstrap, t).contains("knowgate-base@3"));
            ModelVersion v3 = RoundTopics.versions(bootstrap, t.models()).get(2);
            assertThat(v3.parent()).isEqualTo(1L);
            assertThat(Files.readString(Path.of(v3.location()).resolve("training-log.json")))
                    .contains("\"learningRate\" : 5.0E-4").contains("\"attempt\" : 1");
            assertThat(RoundTopics.committed(bootstrap, t.group())).as("nothing committed while undecided").isEmpty();
            decide(bootstrap, t, "knowgate-base@3", DecisionStatus.REJECTED);

            // Parked with the offsets, in one transaction: every trainable example once, nothing lost; the
            // released ones it trained went back to the quarantine queue instead, with the rejection.
            Map<String, Long> end = RoundTopics.ends(bootstrap, t.accepted());
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(RoundTopics.committed(bootstrap, t.group())).containsAllEntriesOf(end));
            List<QuarantineDecision> returned = TopicContents.committed(bootstrap, t.returns()).stream()
                    .map(r -> ContractJson.read(r.value(), QuarantineDecision.class)).toList();
            assertThat(returned).hasSize(admitted).allSatisfy(d -> {
                assertThat(d.action()).isEqualTo(QuarantineDecision.Action.RETURN);
                assertThat(d.decidedBy()).isEqualTo(QuarantineDecision.TRAINER);
                assertThat(d.reason()).contains("knowgate-base@3 rejected").contains("2 training(s)");
                assertThat(d.verdictModel()).isEqualTo("knowgate-base@1");
            });
            assertThat(released).extracting(c -> c.example().id())
                    .containsAll(returned.stream().map(QuarantineDecision::exampleId).toList());
            long releasedCommitted = RoundTopics.committed(bootstrap, t.group()).entrySet().stream()
                    .filter(e -> e.getKey().startsWith(t.released())).mapToLong(Map.Entry::getValue).sum();
            assertThat(releasedCommitted).as("the admitted released records are committed, the rest wait").isEqualTo(admitted);
            List<ConsumerRecord<String, byte[]>> parked = TopicContents.committed(bootstrap, t.parked());
            Set<String> trainable = first.stream().filter(c -> c.verdict().category() != Category.UNKNOWN)
                    .map(c -> c.example().id()).collect(Collectors.toSet());
            assertThat(parked).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(trainable)
                    .doesNotContainAnyElementsOf(returned.stream().map(QuarantineDecision::exampleId).toList());
            assertThat(parked).allSatisfy(r -> {
                assertThat(header(r, ParkedHeaders.CANDIDATE)).isEqualTo("knowgate-base@3");
                assertThat(header(r, ParkedHeaders.ATTEMPTS)).isEqualTo("2");
                assertThat(ContractJson.read(r.value(), CategorizedExample.class).example().id()).isEqualTo(r.key());
            });

            // The next round starts from the last promoted version too.
            RoundTopics.send(bootstrap, t.accepted(), examples.subList(40, EXAMPLES));
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> announced(bootstrap, t).contains("knowgate-base@4"));
            assertThat(RoundTopics.versions(bootstrap, t.models()).get(3).parent()).isEqualTo(1L);
        } catch (Throwable e) {
            System.out.println(Files.readString(log));
            throw e;
        } finally {
            trainer.destroyForcibly().waitFor();
        }
    }

    /**
     * Anyone who can write to the models topic could announce a version from a folder outside the
     * registry, and it became the trainer's parent once promoted. Now the trainer builds only on the
     * registry's own signed versions: a forged, promoted @2 is ignored and the round trains from @1.
     */
    @org.junit.jupiter.api.Test
    void aVersionAnnouncedFromOutsideTheRegistryNeverBecomesAParent() throws Exception {
        Topics t = topics("forged");
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        RoundTopics.send(bootstrap, t.accepted(), examples.subList(0, 40));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/knowgate-base/2"));
        try (Stream<Path> files = Files.list(KnownFacts.BASE)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals(ModelVersion.MANIFEST_FILE)).toList()) {
                Files.copy(f, elsewhere.resolve(f.getFileName()));
            }
        }
        ModelVersion base = ModelFolder.open(KnownFacts.BASE).manifest();
        ModelVersion forged = ModelFolder.seal(elsewhere, files -> new ModelVersion(base.schemaVersion(), base.name(), 2, 1L,
                base.architecture(), files, base.promptTemplate(), base.answerTerminator(), Instant.now(), null, null))
                .withLocation(elsewhere.toString());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(t.models(), forged.key(), ContractJson.write(forged))).get(); // as an attacker would
        }
        decide(bootstrap, t, forged.key(), DecisionStatus.PROMOTED);

        Path log = Files.createDirectories(Path.of("target", "crash-test")).resolve("forged.log");
        Process trainer = launch(bootstrap, t, tmp.resolve("registry"), "none", log);
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> announced(bootstrap, t).contains("knowgate-base@3"));
            ModelVersion v3 = RoundTopics.versions(bootstrap, t.models()).stream().filter(v -> v.version() == 3).findFirst().orElseThrow();
            assertThat(v3.parent()).as("trained from the registry's @1, not the forged @2").isEqualTo(1L);
            assertThat(Path.of(v3.location())).startsWith(tmp.resolve("registry"));
            assertThat(Path.of(v3.location()).resolve("manifest.sig")).isRegularFile();
            try (Stream<Path> left = Files.list(tmp.resolve("registry/knowgate-base"))) {
                assertThat(left.map(p -> p.getFileName().toString())).as("the forged @2 never entered the registry")
                        .containsExactlyInAnyOrder("1", "3");
            }
        } catch (Throwable e) {
            System.out.println(Files.readString(log));
            throw e;
        } finally {
            trainer.destroyForcibly().waitFor();
        }
    }

    /** One test's own topics and consumer group. */
    record Topics(String accepted, String models, String decisions, String parked, String group, String released,
                  String returns) {

        /** What a round commits when everything is read: both topics' ends. */
        Map<String, Long> ends(String bootstrap) throws Exception {
            Map<String, Long> end = new java.util.HashMap<>(RoundTopics.ends(bootstrap, accepted));
            end.putAll(RoundTopics.ends(bootstrap, released));
            return end;
        }
    }

    private static Topics topics(String suffix) throws Exception {
        Topics t = new Topics("crash-accepted-" + suffix, "crash-models-" + suffix, "crash-decisions-" + suffix,
                "crash-parked-" + suffix, "crash-trainer-" + suffix, "crash-released-" + suffix, "crash-returns-" + suffix);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(t.accepted(), 2, (short) 1), new NewTopic(t.models(), 1, (short) 1),
                    new NewTopic(t.decisions(), 1, (short) 1), new NewTopic(t.parked(), 2, (short) 1),
                    new NewTopic(t.released(), 2, (short) 1), new NewTopic(t.returns(), 2, (short) 1))).all().get();
        }
        return t;
    }

    private Process launch(String bootstrap, Topics t, Path registry, String halt, Path log) throws IOException {
        return dev.knowgate.testing.ChildJvm.start(log, "1g", CrashableTrainerApp.class,
                bootstrap, t.accepted(), t.models(), t.group(), registry.toString(),
                KnownFacts.BASE.toString(), halt, "3", // all examples are on the topic before it starts
                t.decisions(), t.parked(), t.released(), t.returns());
    }

    /** What the monitor would do: a decision on models.decisions. */
    private static void decide(String bootstrap, Topics t, String key, DecisionStatus status) throws Exception {
        ModelVersion v = RoundTopics.versions(bootstrap, t.models()).stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow();
        RoundTopics.decide(bootstrap, t.decisions(), v, status);
    }


    private static List<String> announced(String bootstrap, Topics t) {
        return RoundTopics.versions(bootstrap, t.models()).stream().map(ModelVersion::key).toList();
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), java.nio.charset.StandardCharsets.UTF_8);
    }



}
