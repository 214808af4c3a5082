package dev.knowgate.e2e;

import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.testing.TorchRuntime;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The trainer's command backend on an existing distributed engine, in the running system: the trainer
 * service runs bin/torch-finetune (torchrun, 2 workers, DistributedDataParallel on the CPU) for its
 * round; the version it publishes is evaluated by the monitor on its whole probe set, answered by
 * categorize-stream under that version, promoted, and then served by categorize-stream. The three
 * services run as separate JVMs from their packaged jars, on a broker of this test's own (the topic
 * names are the system's, and PipelineEndToEndTest uses them on the shared one); examples enter
 * examples.submitted as ingest would write them.
 */
class TorchTrainerEndToEndTest {

    @Test
    void aVersionTrainedByTorchrunIsEvaluatedByTheMonitorAndServedByCategorizeStream() throws Exception {
        TorchRuntime.assume();
        Path work = Files.createDirectories(Path.of("target", "e2e-run").toAbsolutePath());
        Path model = MicroModel.get();
        Path registry = Files.createTempDirectory(work, "torch-registry");
        Path state = Files.createTempDirectory(work, "torch-state");
        List<ServiceProcess> services = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.startEmbedded(Map.of())) {
            String bootstrap = broker.bootstrapServers();
            try {
                String all = "HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN,UNKNOWN";
                services.add(ServiceProcess.start("torch-categorize-stream", "categorize-stream", work, bootstrap, Map.of(
                        "knowgate.categorize.model.initial", model.toString(),
                        "knowgate.categorize.model.registry", registry.toString(),
                        "knowgate.categorize.model.trusted-keys", registry.resolveSibling(registry.getFileName() + "-keys")
                                .resolve("signing.pub").toString(),
                        "knowgate.categorize.routing.accept", all,
                        "knowgate.categorize.batch.max-wait", "100ms",
                        "kafka-streams.state.dir", state.resolve("categorize").toString())));
                services.add(ServiceProcess.start("torch-trainer", "trainer", work, bootstrap, Map.of(
                        "knowgate.trainer.model.initial", model.toString(),
                        "knowgate.trainer.registry.dir", registry.toString(),
                        "knowgate.trainer.registry.signing-key", registry.resolveSibling(registry.getFileName() + "-keys")
                                .resolve("signing.key").toString(),
                        "knowgate.trainer.registry.public-key", registry.resolveSibling(registry.getFileName() + "-keys")
                                .resolve("signing.pub").toString(),
                        "knowgate.trainer.round.min-examples", "12",
                        "knowgate.trainer.mix.categories", all,
                        "knowgate.trainer.backend.kind", "command",
                        "knowgate.trainer.backend.command.line", TorchRuntime.LAUNCHER + " --nproc 2 -- --train {train}"
                                + " --dev {dev} --parent {parent} --out {out} --epochs 3 --lr 0.001",
                        "knowgate.trainer.backend.command.timeout", "5m")));
                ServiceProcess monitor = ServiceProcess.start("torch-monitor", "monitor", work, bootstrap, Map.of(
                        "knowgate.monitor.probes.world-preset", "micro",
                        // The path is the gate's; the limits are wide open because the micro model's forgetting is noise.
                        "knowgate.monitor.gate.max-forgetting", "1.0",
                        "knowgate.monitor.gate.max-accuracy-drop", "1.0",
                        "kafka-streams.state.dir", state.resolve("monitor").toString()));
                services.add(monitor);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> services.stream().allMatch(ServiceProcess::ready));

                // 1. Examples as ingest writes them; categorize-stream accepts them under v1, and they make a round.
                List<Example> stream = FactWorld.generate(WorldConfig.preset("micro", 42L)).finetunePool().stream()
                        .map(Fact::toExample).map(e -> ContractJson.read(ContractJson.write(e), Example.class)).toList();
                submit(bootstrap, stream.subList(0, 40));

                // 2. The trainer's round runs torchrun and publishes v2 as a candidate.
                ModelVersion v2 = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> PipelineTopics.version(bootstrap, "knowgate-base@2"), Optional::isPresent).orElseThrow();
                assertThat(v2.parent()).isEqualTo(1L);
                assertThat(Files.readString(Path.of(v2.location()).resolve("training-log.json")))
                        .contains("\"backend\": \"torchrun\"").contains("\"workers\": 2");

                // 3. The monitor evaluates it on the whole probe set, answered under v2 itself, and promotes it.
                ModelDecision decided = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> PipelineTopics.decision(bootstrap, "knowgate-base@2"), Optional::isPresent).orElseThrow();
                assertThat(decided.status()).isEqualTo(DecisionStatus.PROMOTED);
                assertThat(decided.evidence().probesAnswered()).isEqualTo(decided.evidence().probesTotal()).isPositive();
                List<ProbeResult> results = TopicContents.committed(bootstrap, Topics.PROBES_RESULTS.name()).stream()
                        .map(r -> ContractJson.read(r.value(), ProbeResult.class))
                        .filter(r -> r.evaluationId().equals(decided.evidence().evaluationId())).toList();
                assertThat(results).isNotEmpty().allMatch(r -> r.modelVersion() == 2);

                // 4. categorize-stream serves it: an example submitted now is judged under v2.
                Example later = stream.get(stream.size() - 1);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    submit(bootstrap, List.of(later));
                    return PipelineTopics.verdictVersion(bootstrap, later.id()).filter(v -> v >= 2).isPresent();
                });
            } catch (Throwable t) {
                ServiceProcess.printLogs(services);
                throw t;
            } finally {
                ServiceProcess.closeAll(services);
            }
        }
    }

    private static void submit(String bootstrap, List<Example> examples) throws Exception {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new ByteArraySerializer())) {
            for (Example e : examples) {
                p.send(new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), e.id(), ContractJson.write(e))).get();
            }
        }
    }




}
