package dev.knowgate.e2e;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The monitor's lease with two real instances (packaged service, separate JVMs, real broker): one
 * holds the lease and acts, the other waits as a standby (a member of the lease group, no HTTP, no
 * Kafka Streams, no probe requests). Two versions are announced and evaluated once each; the acting
 * instance is killed with SIGKILL; the standby takes over, does not ask again for what was evaluated,
 * and evaluates a third version once. Over the whole run: exactly one evaluation request per version,
 * exactly one decision per version, and the one alert (v2 rejected) fired once by the first monitor and
 * resolved once by the second.
 */
class MonitorLeaseTest {

    static final String GROUP = "knowgate-monitor-lease";

    @Test
    void oneInstanceActsAndTheStandbyTakesOverAfterASigkillWithoutAskingTwice() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) { // its own broker: the other e2e tests use the same topics
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
            }
            Path run = Files.createTempDirectory(Files.createDirectories(Path.of("target", "scale-out").toAbsolutePath()), "monitor");
            List<Example> probes = FactWorld.generate(WorldConfig.preset("micro", 42L)).probes().stream()
                    .map(Fact::toExample).toList();

            List<ServiceProcess> services = new ArrayList<>();
            try {
                services.add(monitor("monitor-1", run, bootstrap));
                services.add(monitor("monitor-2", run, bootstrap));
                ServiceProcess acting = await("one monitor acting").atMost(Duration.ofSeconds(150))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> services.stream().filter(ServiceProcess::ready).findFirst(), Optional::isPresent)
                        .orElseThrow();
                ServiceProcess standby = services.get(0) == acting ? services.get(1) : services.get(0);
                await("both in the lease group").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> leaseMembers(bootstrap) == 2);
                assertThat(standby.alive()).isTrue();
                assertThat(standby.ready()).as("the standby serves nothing").isFalse();

                announce(bootstrap, 1, null);
                announce(bootstrap, 2, 1L);
                answer(bootstrap, awaitEvaluation(bootstrap, "knowgate-base@1", probes.size()), 1, probes, 0);
                // v2 forgets half of what the base knew: rejected, and candidate_rejected fires.
                answer(bootstrap, awaitEvaluation(bootstrap, "knowgate-base@2", probes.size()), 2, probes, probes.size() / 2);
                assertThat(awaitDecision(bootstrap, "knowgate-base@2").status()).isEqualTo(DecisionStatus.REJECTED);
                await("candidate_rejected firing").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> alerts(bootstrap).keySet().stream().anyMatch(k -> k.endsWith(" firing")));
                assertThat(standby.ready()).as("the standby still serves nothing").isFalse();

                acting.kill();
                long killed = System.nanoTime();
                await("the standby acting").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                        .until(standby::ready);
                System.out.printf("monitor lease: the standby served %.1f s after SIGKILL of the acting monitor%n",
                        (System.nanoTime() - killed) / 1e9);

                announce(bootstrap, 3, 1L);
                answer(bootstrap, awaitEvaluation(bootstrap, "knowgate-base@3", probes.size()), 3, probes, 0);
                ModelDecision v3 = awaitDecision(bootstrap, "knowgate-base@3");
                assertThat(v3.status()).isEqualTo(DecisionStatus.PROMOTED);
                // v3's promotion resolves the rejection's alert: fired by the first monitor, resolved by the second.
                await("candidate_rejected resolved").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> alerts(bootstrap).keySet().stream().anyMatch(k -> k.endsWith(" resolved")));
                await("v3 in the new acting monitor's versions").atMost(Duration.ofSeconds(30))
                        .until(() -> ServiceProcess.get(standby.url("/v1/versions")).body().contains("\"key\":\"knowgate-base@3\""));

                // Nothing twice: one evaluation (one id, every probe once) per version, one decision per version.
                Map<String, Map<String, Long>> requests = requests(bootstrap);
                assertThat(requests).containsOnlyKeys("knowgate-base@1", "knowgate-base@2", "knowgate-base@3");
                requests.forEach((version, evaluations) -> {
                    assertThat(evaluations).as("evaluations of %s", version).hasSize(1);
                    assertThat(evaluations.values()).as("probes asked for %s", version).containsExactly((long) probes.size());
                });
                Map<String, Long> decisions = TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()).stream()
                        .map(r -> ContractJson.read(r.value(), ModelDecision.class))
                        .collect(Collectors.groupingBy(ModelDecision::key, TreeMap::new, Collectors.counting()));
                assertThat(decisions).isEqualTo(Map.of("knowgate-base@1", 1L, "knowgate-base@2", 1L, "knowgate-base@3", 1L));
                Map<String, Long> alerts = alerts(bootstrap);
                assertThat(alerts).as("alerts by id and status").hasSize(2).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
                assertThat(alerts.keySet()).allMatch(k -> k.startsWith("candidate_rejected-"));
            } catch (Throwable t) {
                ServiceProcess.printLogs(services);
                throw t;
            } finally {
                ServiceProcess.closeAll(services);
            }
        }
    }

    private static ServiceProcess monitor(String name, Path run, String bootstrap) throws Exception {
        return ServiceProcess.start(name, "monitor", run, bootstrap, Map.of(
                "knowgate.monitor.probes.world-preset", "micro",
                "kafka-streams.state.dir", run.resolve("state-" + name).toString(),
                // The broker's smallest session: a killed holder's lease passes on after 6 s.
                "knowgate.monitor.lease.session-timeout", "6s"));
    }

    private static int leaseMembers(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).members().size();
        }
    }

    /** Evaluation requests on examples.submitted: per version, per evaluation id, how many probes. */
    private static Map<String, Map<String, Long>> requests(String bootstrap) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(bootstrap, Topics.EXAMPLES_SUBMITTED.name())) {
            Header model = r.headers().lastHeader(ProbeHeaders.MODEL);
            Header evaluation = r.headers().lastHeader(ProbeHeaders.EVALUATION_ID);
            if (model != null && evaluation != null) {
                out.computeIfAbsent(new String(model.value(), StandardCharsets.UTF_8), k -> new TreeMap<>())
                        .merge(new String(evaluation.value(), StandardCharsets.UTF_8), 1L, Long::sum);
            }
        }
        return out;
    }

    private static String awaitEvaluation(String bootstrap, String version, int probes) {
        Map<String, Long> evaluations = await("the evaluation of " + version).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> requests(bootstrap).getOrDefault(version, Map.of()),
                        m -> m.values().stream().anyMatch(n -> n >= probes));
        return evaluations.keySet().iterator().next();
    }

    private static ModelDecision awaitDecision(String bootstrap, String version) {
        return await("a decision on " + version).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()).stream()
                        .map(r -> ContractJson.read(r.value(), ModelDecision.class))
                        .filter(d -> d.key().equals(version)).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    /** Alert records on the alerts topic, read_committed, counted by "id status". */
    private static Map<String, Long> alerts(String bootstrap) {
        return TopicContents.committed(bootstrap, Topics.ALERTS.name()).stream()
                .map(r -> ContractJson.read(r.value(), Alert.class))
                .collect(Collectors.groupingBy(a -> a.id() + " " + a.status().name().toLowerCase(java.util.Locale.ROOT),
                        TreeMap::new, Collectors.counting()));
    }

    private static void announce(String bootstrap, long version, Long parent) throws Exception {
        ModelVersion v = new ModelVersion(SchemaVersions.CURRENT, "knowgate-base", version, parent,
                "knowgate-gpt", List.of(new ModelFile("model.onnx", "0".repeat(64), 1)), "Q: {question} A:", "<eoa>",
                Instant.now(), null, "/registry/knowgate-base/" + version);
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            p.send(new ProducerRecord<>(Topics.MODELS.name(), v.key(), ContractJson.write(v))).get();
        }
    }

    /** What categorize-stream would answer under {@code version}: the first {@code wrong} probes wrongly. */
    private static void answer(String bootstrap, String evaluationId, long version, List<Example> probes, int wrong)
            throws Exception {
        List<ProducerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            boolean right = i >= wrong;
            ProbeResult r = new ProbeResult(probes.get(i).id(), evaluationId, "knowgate-base", version,
                    right ? Category.HIGHLY_KNOWN : Category.UNKNOWN, right ? 1 : 0, right ? 1 : 0, right, Instant.now());
            records.add(new ProducerRecord<>(Topics.PROBES_RESULTS.name(), r.probeId(), ContractJson.write(r)));
        }
        TopicContents.write(bootstrap, records);
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }
}
