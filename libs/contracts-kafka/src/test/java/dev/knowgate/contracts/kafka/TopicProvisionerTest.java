package dev.knowgate.contracts.kafka;

import dev.knowgate.contracts.topic.TopicSpec;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs on a real broker: idempotence, several services starting at once, drift. */
class TopicProvisionerTest {

    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()));
    }

    @AfterAll
    static void disconnect() {
        admin.close();
    }

    /** The real catalogue under a fresh prefix, so tests never see each other's topics. */
    private static List<TopicSpec> catalogue() {
        String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
        return Topics.ALL.stream()
                .map(s -> new TopicSpec(prefix + s.name(), s.partitions(), s.compacted(), s.configs(), s.purpose()))
                .toList();
    }

    private static TopicProvisioner provisioner() {
        return new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30));
    }

    /**
     * Before, every topic was created with one replica unless configured, whatever the cluster's
     * default. A broker whose default.replication.factor is 2 but which has one node shows which
     * factor was asked for: the broker's default (refused here) unless one is configured.
     */
    @Test
    void withoutAConfiguredReplicationFactorTheBrokersDefaultApplies() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startEmbedded(Map.of("default.replication.factor", "2"));
             Admin own = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            List<TopicSpec> one = catalogue().subList(0, 1);
            assertThatThrownBy(() -> new TopicProvisioner(own, java.util.Optional.empty(), Duration.ofSeconds(30)).ensure(one))
                    .isInstanceOf(TopicProvisioningException.class)
                    .hasMessageContaining("replication factor of 2");
            TopicProvisioner.Report report = new TopicProvisioner(own, (short) 1, Duration.ofSeconds(30)).ensure(one);
            assertThat(report.created()).containsExactly(one.get(0).name());
        }
    }

    @Test
    void createsMissingTopicsWithTheirShapeAndIsIdempotent() throws Exception {
        List<TopicSpec> specs = catalogue();
        List<String> names = specs.stream().map(TopicSpec::name).toList();

        TopicProvisioner.Report first = provisioner().ensure(specs);
        TopicProvisioner.Report second = provisioner().ensure(specs);

        assertThat(first.created()).containsExactlyElementsOf(names);
        assertThat(second.created()).isEmpty();
        assertThat(second.existing()).containsExactlyElementsOf(names);
        assertThat(second.warnings()).isEmpty();

        var described = admin.describeTopics(names).allTopicNames().get();
        Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get();
        for (TopicSpec spec : specs) {
            assertThat(described.get(spec.name()).partitions()).hasSize(spec.partitions());
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            spec.allConfigs().forEach((key, value) ->
                    assertThat(config.get(key).value()).as(spec.name() + " " + key).isEqualTo(value));
        }
        TopicSpec models = specs.get(Topics.ALL.indexOf(Topics.MODELS));
        assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, models.name()))
                .get("cleanup.policy").value()).isEqualTo("compact");
    }

    @Test
    void servicesStartingTogetherAllSucceed() throws Exception {
        List<TopicSpec> specs = catalogue();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<TopicProvisioner.Report>> services = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                services.add(() -> provisioner().ensure(specs));
            }
            int created = 0;
            for (Future<TopicProvisioner.Report> f : pool.invokeAll(services)) {
                TopicProvisioner.Report report = f.get();
                assertThat(report.created().size() + report.existing().size()).isEqualTo(specs.size());
                created += report.created().size();
            }
            assertThat(created).as("each topic created by exactly one service").isEqualTo(specs.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesACompactedTopicThatIsNotCompacted() throws Exception {
        TopicSpec models = new TopicSpec("t" + UUID.randomUUID() + ".models", 1, true, Map.of(), "models");
        admin.createTopics(List.of(new NewTopic(models.name(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "delete")))).all().get();

        assertThatThrownBy(() -> provisioner().ensure(List.of(models)))
                .isInstanceOf(TopicProvisioningException.class)
                .hasMessageContaining(models.name())
                .hasMessageContaining("must be compacted");
    }

    @Test
    void reportsButKeepsAPartitionCountThatDiffers() throws Exception {
        TopicSpec spec = new TopicSpec("t" + UUID.randomUUID() + ".submitted", 6, false, Map.of(), "x");
        admin.createTopics(List.of(new NewTopic(spec.name(), 2, (short) 1))).all().get();

        TopicProvisioner.Report report = provisioner().ensure(List.of(spec));

        assertThat(report.existing()).containsExactly(spec.name());
        assertThat(report.warnings()).singleElement().asString().contains("has 2 partitions");
        assertThat(admin.describeTopics(List.of(spec.name())).allTopicNames().get()
                .get(spec.name()).partitions()).hasSize(2);
    }
}
