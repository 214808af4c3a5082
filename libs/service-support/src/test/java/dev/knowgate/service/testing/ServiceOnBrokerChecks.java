package dev.knowgate.service.testing;

import dev.knowgate.contracts.topic.TopicSpec;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

/**
 * What every knowgate service must do on a real broker: create the topic catalogue, report
 * ready and live, and expose Prometheus metrics tagged with its name.
 */
public final class ServiceOnBrokerChecks {

    private ServiceOnBrokerChecks() {
    }

    public static void assertServiceUpOnBroker(String service) throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().get("/q/health/ready").then()
                        .statusCode(200)
                        .body("status", is("UP"))
                        .body("checks.name", hasItem("kafka-topics"))
                        .body("checks.name", hasItem("kafka-broker")));

        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("jvm_memory_used_bytes").contains("service=\"" + service + "\"");

        assertCatalogueOnBroker(KafkaBroker.shared().bootstrapServers());
    }

    /** Asks the broker itself, not the service, whether the topics are there with their shape. */
    public static void assertCatalogueOnBroker(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
            var described = admin.describeTopics(names).allTopicNames().get();
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();
            for (TopicSpec spec : Topics.ALL) {
                assertThat(described.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
                assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()))
                        .get("cleanup.policy").value()).as(spec.name()).isEqualTo(spec.cleanupPolicy());
            }
        }
    }
}
