package dev.knowgate.trainer.round;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.trainer.KnownFacts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
import java.util.ArrayList;
import java.util.HashMap;
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
 * round, restarts it, and checks the invariant: no example lost (the published version's dataset
 * holds every trainable example, and the group's offsets reach the end of the topic) and no version
 * published twice (each key once on the models topic).
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
        String accepted = "crash-accepted-" + suffix;
        String models = "crash-models-" + suffix;
        String group = "crash-trainer-" + suffix;
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(accepted, 2, (short) 1), new NewTopic(models, 1, (short) 1))).all().get();
        }
        send(bootstrap, accepted);
        Path registry = tmp.resolve("registry");

        Path logs = Files.createDirectories(Path.of("target", "crash-test"));
        Path firstLog = logs.resolve(suffix + "-first.log");
        Process first = launch(bootstrap, accepted, models, group, registry, stage.name(), firstLog);
        if (!first.waitFor(2, TimeUnit.MINUTES)) {
            first.destroyForcibly().waitFor();
            fail("the first run did not halt at " + stage + ":\n" + Files.readString(firstLog));
        }
        assertThat(first.exitValue()).as(Files.readString(firstLog)).isEqualTo(137);
        assertThat(Files.readString(firstLog)).contains("STAGE " + stage.name());
        // What the crash left: a staging folder, an unannounced version, or an announced one with uncommitted offsets.
        assertThat(committed(bootstrap, group)).isNotEqualTo(ends(bootstrap, accepted));

        Path secondLog = logs.resolve(suffix + "-second.log");
        Process second = launch(bootstrap, accepted, models, group, registry, "none", secondLog);
        try {
            Map<String, Long> end = ends(bootstrap, accepted);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(committed(bootstrap, group)).isEqualTo(end));
        } finally {
            second.destroyForcibly().waitFor();
        }
        String log = Files.readString(secondLog);
        if (stage == RoundStage.TRAINED) {
            assertThat(log).as("retrained after losing the staging folder").contains("STAGE PUBLISHED");
        } else {
            assertThat(log).as("recognised, not trained again").doesNotContain("STAGE TRAINED");
        }

        List<ModelVersion> announced = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(bootstrap, models)) {
            announced.add(ContractJson.read(r.value(), ModelVersion.class));
        }
        assertThat(announced).extracting(ModelVersion::key).containsExactly("knowgate-base@1", "knowgate-base@2");
        ModelVersion v2 = announced.get(1);
        assertThat(v2.round().sourceOffsets()).isEqualTo(ends(bootstrap, accepted));
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

    private Process launch(String bootstrap, String accepted, String models, String group, Path registry, String halt,
                           Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx1g", "-Dai.djl.offline=true",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", System.getProperty("java.class.path"),
                CrashableTrainerApp.class.getName(), bootstrap, accepted, models, group, registry.toString(),
                KnownFacts.BASE.toString(), halt, "3") // all examples are on the topic before it starts
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void send(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            for (CategorizedExample c : examples) {
                p.send(new ProducerRecord<>(topic, c.example().id(), ContractJson.write(c))).get();
            }
        }
    }

    private static Map<String, Long> ends(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<String, Long> out = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, i) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), i.offset()));
            return out;
        }
    }

    private static Map<String, Long> committed(String bootstrap, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, Long> out = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, o) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), o.offset()));
            return out;
        }
    }
}
