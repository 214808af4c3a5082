package dev.knowgate.trainer;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.LearnedCount;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.service.testing.ServiceOnBrokerChecks;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.FreshDirResource;
import dev.knowgate.testing.KafkaBrokerResource;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.round.RoundRunner;
import dev.knowgate.trainer.service.TrainerService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * The trainer service on a real broker with the shipped base model: it registers the base as
 * version 1, and a round on 200 accepted known examples (real SliCK verdicts) publishes version 2,
 * which answers more of them, loads through the same verification and SliCK path as
 * categorize-stream, and whose offsets are committed.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = FreshDirResource.class, initArgs = @ResourceArg(name = "property", value = "knowgate.trainer.registry.dir"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerServiceTest {

    @Test
    @Order(1)
    void startsOnARealBrokerAndRegistersTheBaseModel() throws Exception {
        ServiceOnBrokerChecks.assertServiceUpOnBroker("trainer");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("checks.find { it.name == 'trainer' }.status", is("UP")));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'workers' }.data.'trainer-rounds'", is("running"));
        List<ModelVersion> versions = models();
        assertThat(versions).extracting(ModelVersion::key).containsExactly("knowgate-base@1");
        assertThat(ModelFolder.open(Path.of(versions.get(0).location())).manifest().files())
                .isEqualTo(ModelFolder.open(KnownFacts.BASE).manifest().files());
    }

    /** Before keys were required, a made-up key (or none) paused the trainer and started rounds. */
    @Test
    @Order(2)
    void writesNeedAnOperatorKeyAndReadsStayOpen() {
        for (String write : List.of("/v1/rounds", "/v1/consumption/pause", "/v1/consumption/resume")) {
            given().post(write).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("type", containsString("unauthenticated"));
            given().header("X-Api-Key", "made-up").post(write).then().statusCode(401)
                    .contentType("application/problem+json").body("detail", is("unknown API key"));
            given().header("Authorization", "Bearer trainer-viewer").post(write).then().statusCode(403)
                    .contentType("application/problem+json").body("detail", containsString("lacks the right 'operator'"));
        }
        given().get("/v1/consumption").then().statusCode(200).body("paused", is(false));
        given().get("/v1/rounds").then().statusCode(200);
    }

    private static io.restassured.specification.RequestSpecification operator() {
        return given().header("Authorization", "Bearer trainer-operator");
    }

    @Test
    @Order(2)
    void restAnswersForRoundsAndConsumption() {
        operator().post("/v1/rounds").then().statusCode(409).contentType("application/problem+json")
                .body("type", containsString("nothing-pending"));
        given().get("/v1/rounds/round-nope").then().statusCode(404).body("status", is(404));
        operator().post("/v1/consumption/pause").then().statusCode(200).body("paused", is(true));
        operator().post("/v1/rounds").then().statusCode(409).body("type", containsString("consumption-paused"));
        operator().post("/v1/consumption/resume").then().statusCode(200).body("paused", is(false));
        given().get("/v1/consumption").then().statusCode(200).body("liveVersion", is("knowgate-base@1"));
    }

    @Test
    @Order(3)
    void aRoundOn200KnownExamplesRaisesTheirAccuracyAndPublishesALoadableVersion() throws Exception {
        // Known but not yet HighlyKnown first: those are the ones a round can still teach.
        List<CategorizedExample> pool = KnownFacts.categorized(KnownFacts.BASE, 900);
        List<CategorizedExample> known = new ArrayList<>(pool.stream()
                .filter(c -> c.verdict().category() == Category.MAYBE_KNOWN || c.verdict().category() == Category.WEAKLY_KNOWN)
                .toList());
        pool.stream().filter(c -> c.verdict().category() == Category.HIGHLY_KNOWN).limit(Math.max(0, 200 - known.size()))
                .forEach(known::add);
        assertThat(known).hasSizeGreaterThanOrEqualTo(200);
        List<CategorizedExample> round = known.subList(0, 200);
        // Judged by another lineage's model (categorize-stream started on another initial model): skipped.
        send(pool.stream().filter(c -> !round.contains(c)).limit(5)
                .map(c -> new CategorizedExample(c.example(), c.verdict().withModel("my-imported-model"), c.route())).toList());
        send(round);

        // A liveness bound, not a speed target: the round trains all 8 epochs (the recipe) and measures what
        // it learned; about 2 minutes on a quiet 2-core machine, over 3 on one shared with other builds.
        ModelVersion v2 = await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                .until(() -> models().stream().filter(v -> v.version() == 2).findFirst().orElse(null), v -> v != null);
        assertThat(v2.parent()).isEqualTo(1L);
        RoundSummary summary = v2.round();
        assertThat(summary.examplesByCategory().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
        // The default recipe holds no dev split out: every new example is trained on, every epoch runs.
        assertThat(summary.devAccuracy()).isNull();
        assertThat(summary.epochs()).isEqualTo(8);
        Map<String, Long> end = endOffsets();
        assertThat(summary.sourceOffsets()).isEqualTo(end);
        // A candidate: the trainer waits for the monitor's decision before it commits anything.
        given().get("/v1/consumption").then().statusCode(200).body("awaitingDecision", is("knowgate-base@2"))
                .body("liveVersion", is("knowgate-base@1"));
        given().get("/v1/rounds/" + summary.roundId()).then().statusCode(200).body("status", is("AWAITING_DECISION"));
        assertThat(committedOffsets()).isNotEqualTo(end);
        promote(v2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(committedOffsets()).isEqualTo(end));

        // The version loads the way categorize-stream loads it: verified, then SliCK over its exemplars.
        Path dir = Path.of(v2.location());
        ModelFolder folder = ModelFolder.open(dir);
        assertThat(folder.manifest().round()).isEqualTo(summary);
        List<RoundExample> trained = RoundExample.readJsonl(dir.resolve(RoundRunner.TRAIN_FILE));
        Set<String> trainedIds = trained.stream().map(RoundExample::id).collect(Collectors.toSet());
        List<Example> trainedExamples = round.stream().map(CategorizedExample::example)
                .filter(e -> trainedIds.contains(e.id())).toList();
        assertThat(trainedExamples).hasSize(200);
        double before = KnownFacts.plainAccuracy(KnownFacts.BASE, trainedExamples);
        double after = KnownFacts.plainAccuracy(dir, trainedExamples);
        System.out.printf("plain-question accuracy on the %d trained examples: %.3f -> %.3f%n", trainedExamples.size(), before, after);
        assertThat(after).isGreaterThan(before + 0.2);
        // What the version learned, as the trainer wrote it into its manifest, is what the same check finds.
        LearnedCount learned = summary.learned().values().stream().reduce(new LearnedCount(0, 0), LearnedCount::plus);
        assertThat(learned.trained()).isEqualTo(trainedExamples.size());
        assertThat(learned.share()).isCloseTo(after, org.assertj.core.data.Offset.offset(0.02));
        assertThat(summary.lineageLearned()).isEqualTo(summary.learned()); // the lineage's first round
        List<CategorizedExample> under2 = KnownFacts.categorized(dir, trainedExamples);
        assertThat(under2).allSatisfy(c -> assertThat(c.verdict().modelVersion()).isEqualTo(2L));
        long highlyKnownBefore = round.stream().filter(c -> trainedIds.contains(c.example().id()))
                .filter(c -> c.verdict().category() == Category.HIGHLY_KNOWN).count();
        long highlyKnownAfter = under2.stream().filter(c -> c.verdict().category() == Category.HIGHLY_KNOWN).count();
        assertThat(highlyKnownAfter).isGreaterThan(highlyKnownBefore);

        String id = summary.roundId();
        given().get("/v1/rounds/" + id).then().statusCode(200).body("status", is("PROMOTED"))
                .body("version", is("knowgate-base@2")).body("parent", is("knowgate-base@1"))
                // One flat object, as docs/trainer.md lists its fields.
                .body("examples", greaterThan(0)).body("train", greaterThan(0)).body("epochs", greaterThan(0))
                .body("tokensPerSecond", notNullValue()).body("endOffsets", notNullValue()).body("learned", notNullValue())
                .body("finishedAt", notNullValue()).body("decision", containsString("promoted"))
                .body("source", nullValue()).body("plan", nullValue()).body("training", nullValue());
        given().get("/v1/consumption").then().statusCode(200).body("liveVersion", is("knowgate-base@2"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("knowgate_trainer_rounds_total{outcome=\"promoted\"")
                .contains("knowgate_trainer_tokens_per_second").contains("knowgate_trainer_examples_total{category=\"MaybeKnown\"")
                .containsPattern("knowgate_trainer_skipped_total\\{reason=\"other_lineage\"[^}]*} 5.0");
    }

    /** What the monitor's gate does when a candidate passes. */
    private static void promote(ModelVersion v) throws Exception {
        ModelDecision d = new ModelDecision(v.name(), v.version(), v.parent(), DecisionStatus.PROMOTED,
                ModelDecision.BY_MONITOR, "test", null, java.time.Instant.now());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.MODELS_DECISIONS.name(), d.key(), ContractJson.write(d))).get();
        }
    }

    private static List<ModelVersion> models() {
        List<ModelVersion> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(KafkaBroker.shared().bootstrapServers(), Topics.MODELS.name())) {
            out.add(ContractJson.read(r.value(), ModelVersion.class));
        }
        out.sort(Comparator.comparingLong(ModelVersion::version));
        return out;
    }

    private static void send(List<CategorizedExample> examples) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (CategorizedExample c : examples) {
                p.send(new ProducerRecord<>(Topics.EXAMPLES_ACCEPTED.name(), c.example().id(), ContractJson.write(c))).get();
            }
        }
    }

    /** The ends of both topics a round reads: examples.accepted and examples.released (empty here). */
    private static Map<String, Long> endOffsets() throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (var topic : List.of(Topics.EXAMPLES_ACCEPTED, Topics.EXAMPLES_RELEASED)) {
                for (int p = 0; p < topic.partitions(); p++) {
                    specs.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
                }
            }
            Map<String, Long> out = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, info) ->
                    out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), info.offset()));
            return out;
        }
    }

    private static Map<String, Long> committedOffsets() throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(TrainerService.GROUP_ID)
                    .partitionsToOffsetAndMetadata().get();
            Map<String, Long> out = new HashMap<>();
            c.forEach((tp, o) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), o.offset()));
            return out;
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()));
    }
}
