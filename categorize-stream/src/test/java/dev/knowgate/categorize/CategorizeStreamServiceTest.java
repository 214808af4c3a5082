package dev.knowgate.categorize;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.service.testing.ServiceOnBrokerChecks;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.FreshDirResource;
import dev.knowgate.testing.KafkaBrokerResource;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * The categorize-stream service on a real broker: ready with the shipped model, categorizes what
 * arrives on examples.submitted, answers GET /v1/verdicts/{id}, swaps to a new version published on
 * the models topic, and refuses a tampered one while the good version keeps serving.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(value = FreshDirResource.class, initArgs = @ResourceArg(name = "property", value = "kafka-streams.state.dir"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CategorizeStreamServiceTest {

    static final FactWorld WORLD = FactWorld.generate(WorldConfig.preset("standard", 42L));

    @Test
    @Order(1)
    void startsOnARealBrokerWithTopicsHealthAndMetricsAndTheShippedModel() throws Exception {
        ServiceOnBrokerChecks.assertServiceUpOnBroker("categorize-stream");
        given().get("/q/health/ready").then().body("checks.name", hasItem("live-model"));
    }

    @Test
    @Order(2)
    void categorizesWhatArrivesAndAnswersWhatBecameOfAnExample() {
        List<Example> examples = WORLD.finetunePool().subList(0, 20).stream().map(Fact::toExample).toList();
        send(examples);
        Set<String> ids = examples.stream().map(Example::id).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(90)).until(() -> categorized(ids).size() == ids.size());

        Example first = examples.get(0);
        CategorizedExample verdict = categorized(Set.of(first.id())).get(0);
        given().get("/v1/verdicts/" + first.id()).then().statusCode(200)
                .body("exampleId", is(first.id()))
                .body("verdicts[0].verdict.model", is("knowgate-base"))
                .body("verdicts[0].verdict.modelVersion", is(1))
                .body("verdicts[0].verdict.category", is(verdict.verdict().category().wireName()))
                .body("verdicts[0].route", is(verdict.route().wireName()));
        given().get("/v1/verdicts/ex-000000000000000000000000").then().statusCode(404)
                .contentType("application/problem+json").body("status", is(404));
    }

    @Test
    @Order(3)
    void swapsToANewVersionFromTheModelsTopicAndRefusesATamperedOne() throws Exception {
        Path root = Files.createTempDirectory("models");
        Path v2 = TestModels.copyAs(root.resolve("knowgate-base-2"), "knowgate-base", 2);
        publish(ModelFolder.open(v2).manifest().withLocation(v2.toString()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2")));

        List<Example> examples = WORLD.finetunePool().subList(20, 25).stream().map(Fact::toExample).toList();
        send(examples);
        Set<String> ids = examples.stream().map(Example::id).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60)).until(() -> categorized(ids).size() == ids.size());
        assertThat(categorized(ids)).allMatch(c -> c.verdict().modelKey().equals("knowgate-base@2"));

        Path v3 = TestModels.copyAs(root.resolve("knowgate-base-3"), "knowgate-base", 3);
        ModelVersion v3Record = ModelFolder.open(v3).manifest().withLocation(v3.toString());
        byte[] onnx = Files.readAllBytes(v3.resolve("model.onnx"));
        onnx[onnx.length / 3] ^= 0x10;
        Files.write(v3.resolve("model.onnx"), onnx);
        publish(v3Record);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(given().get("/q/metrics").asString())
                .contains("knowgate_model_refused_total{reason=\"checksum_mismatch\""));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'live-model' }.data.model", is("knowgate-base@2"));
    }

    private static List<CategorizedExample> categorized(Set<String> ids) {
        return TopicContents.committed(KafkaBroker.shared().bootstrapServers(), Topics.EXAMPLES_CATEGORIZED.name())
                .stream().map(r -> ContractJson.read(r.value(), CategorizedExample.class))
                .filter(c -> ids.contains(c.example().id())).toList();
    }

    private static void send(List<Example> examples) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            examples.forEach(e -> producer.send(new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), e.id(),
                    ContractJson.write(e))));
        }
    }

    private static void publish(ModelVersion version) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.MODELS.name(), version.key(), ContractJson.write(version)));
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
