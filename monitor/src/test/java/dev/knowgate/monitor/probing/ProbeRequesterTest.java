package dev.knowgate.monitor.probing;

import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The probe requester on a real broker that refuses its records at first: it used to send and flush
 * without looking, so a probe the broker refused was gone and that evaluation never complete.
 */
class ProbeRequesterTest {

    static final int PROBES = 20;

    @Test
    void probesTheBrokerRefusedAreWrittenAgainWhenItTakesThemAndEveryProbeIsRequested() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startEmbedded(Map.of());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            String bootstrap = broker.bootstrapServers();
            // Every probe is larger than 64 bytes: the broker refuses them all. The limit is part of the
            // topic's creation, so its log has it from the first write; an altered config reaches the
            // broker a moment later, and under load the requester's first write came first (CI, stop 37).
            Map<String, String> refusing = new HashMap<>(Topics.PROBES.allConfigs());
            refusing.put("max.message.bytes", "64");
            admin.createTopics(List.of(new NewTopic(Topics.PROBES.name(), Topics.PROBES.partitions(), (short) 1)
                    .configs(refusing))).all().get();
            new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
            ProbeSet probes = new ProbeSet(ProbeSet.world("standard", 42L).probes().subList(0, PROBES));
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            // The producer retries a refused probe (it splits the batch) until its delivery timeout: 5 s here.
            ProbeRequester requester = new ProbeRequester(Duration.ZERO, probes, Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000), (model, version, min) -> false, meters);
            requester.onStart(null);
            try {
                await("the refusal is a failure, not a silent loss").atMost(Duration.ofSeconds(60))
                        .until(() -> failures(meters) >= 1);
                assertThat(TopicContents.uncommitted(bootstrap, Topics.PROBES.name())).isEmpty();

                takeEveryProbe(admin);
                await("the probe set written on the requester's next try").atMost(Duration.ofSeconds(60))
                        .until(() -> TopicContents.committed(bootstrap, Topics.PROBES.name()).size() == PROBES);

                ModelVersion v1 = new ModelVersion(SchemaVersions.CURRENT, "knowgate-base", 1, null, "knowgate-gpt",
                        List.of(new ModelFile("model.onnx", "0".repeat(64), 1)), "Q: {question}\nA:", "\n",
                        Instant.now(), null, "/registry/1");
                TopicContents.write(bootstrap, List.of(new ProducerRecord<>(Topics.MODELS.name(), v1.key(),
                        ContractJson.write(v1))));
                await("every probe requested for the announced version").atMost(Duration.ofSeconds(60))
                        .until(() -> requestedFor(bootstrap, v1.key()).size() == PROBES);
                assertThat(requestedFor(bootstrap, v1.key()).stream().map(ConsumerRecord::key))
                        .containsExactlyInAnyOrderElementsOf(probes.probes().stream().map(e -> e.id()).toList());
            } finally {
                requester.onStop(null);
            }
        }
    }

    /** Removes the probes topic's max.message.bytes: the broker takes probes again. */
    private static void takeEveryProbe(Admin admin) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PROBES.name());
        AlterConfigOp op = new AlterConfigOp(new ConfigEntry("max.message.bytes", null), AlterConfigOp.OpType.DELETE);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get();
    }

    private static double failures(SimpleMeterRegistry meters) {
        Counter c = meters.find("knowgate.monitor.probe.requester.failures").counter();
        return c == null ? 0 : c.count();
    }

    /** The probe requests on examples.submitted whose header names {@code modelKey}. */
    private static List<ConsumerRecord<String, byte[]>> requestedFor(String bootstrap, String modelKey) {
        return TopicContents.committed(bootstrap, Topics.EXAMPLES_SUBMITTED.name()).stream().filter(r -> {
            Header h = r.headers().lastHeader(ProbeHeaders.MODEL);
            return h != null && modelKey.equals(new String(h.value(), StandardCharsets.UTF_8));
        }).toList();
    }
}
