package dev.knowgate.e2e;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.ingest.cli.PushCommand;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline with the micro model, on a real broker, the four services as separate JVMs
 * started from their packaged jars: examples pushed through ingest's REST API are categorized; the
 * trainer's round publishes knowgate-base@2 as a candidate; categorize-stream answers the monitor's
 * probe evaluation of it under v2 itself; the monitor's gate (opened wide: the micro model forgets
 * at random) promotes it on the whole evaluation; categorize-stream then serves v2 (a later
 * example's verdict names v2) and the trainer's offsets are committed; and, with the change-point
 * test rigged to a zero target, an alert fires on the alerts topic.
 */
class PipelineEndToEndTest {

    static final String KEY = "e2e-curator-key-0123456789";

    @Test
    void fromAnExamplePushedThroughIngestToAFiredAlert() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        Path work = Files.createDirectories(Path.of("target", "e2e-run").toAbsolutePath());
        Path model = MicroModel.get();
        Path keys = work.resolve("api-keys");
        Files.writeString(keys, "e2e " + sha256(KEY) + " submit,probe\n");
        Path registry = Files.createTempDirectory(work, "registry");
        Path state = Files.createTempDirectory(work, "state");

        List<ServiceProcess> services = new ArrayList<>();
        try {
            ServiceProcess ingest = ServiceProcess.start("ingest", "ingest/service", work, bootstrap,
                    Map.of("knowgate.ingest.auth.keys-file", keys.toString()));
            services.add(ingest);
            // The micro model knows few facts: every category goes to training, so that a round has examples.
            String all = "HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN,UNKNOWN";
            services.add(ServiceProcess.start("categorize-stream", "categorize-stream", work, bootstrap, Map.of(
                    "knowgate.categorize.model.initial", model.toString(),
                    "knowgate.categorize.model.registry", registry.toString(),
                    "knowgate.categorize.model.trusted-keys", work.resolve("keys/signing.pub").toString(),
                    "knowgate.categorize.routing.accept", all,
                    "knowgate.categorize.batch.max-wait", "100ms",
                    "knowgate.categorize.auth.keys-file", keys.toString(),
                    "kafka-streams.state.dir", state.resolve("categorize").toString())));
            services.add(ServiceProcess.start("trainer", "trainer", work, bootstrap, Map.of(
                    "knowgate.trainer.model.initial", model.toString(),
                    "knowgate.trainer.registry.dir", registry.toString(),
                    "knowgate.trainer.registry.signing-key", work.resolve("keys/signing.key").toString(),
                    "knowgate.trainer.registry.public-key", work.resolve("keys/signing.pub").toString(),
                    "knowgate.trainer.round.min-examples", "12",
                    "knowgate.trainer.mix.categories", all,
                    "knowgate.trainer.finetune.epochs", "3")));
            ServiceProcess monitor = ServiceProcess.start("monitor", "monitor", work, bootstrap, Map.of(
                    "knowgate.monitor.probes.world-preset", "micro",
                    // The path is the gate's; the limits are wide open because the micro model's forgetting is noise.
                    "knowgate.monitor.gate.max-forgetting", "1.0",
                    "knowgate.monitor.gate.max-accuracy-drop", "1.0",
                    "kafka-streams.state.dir", state.resolve("monitor").toString(),
                    // Rigged: any Unknown example in a closed window is a change point.
                    "knowgate.monitor.unknown-share.window", "2s",
                    "knowgate.monitor.unknown-share.min-examples", "1",
                    "knowgate.monitor.unknown-share.target", "0",
                    "knowgate.monitor.unknown-share.slack", "0",
                    "knowgate.monitor.unknown-share.threshold", "0.05"));
            services.add(monitor);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> services.stream().allMatch(ServiceProcess::ready));

            // 1. Examples pushed with knowgate-push --wait are categorized under v1, and the curator sees it.
            List<Example> stream = FactWorld.generate(WorldConfig.preset("micro", 42L)).finetunePool().stream()
                    .map(Fact::toExample).toList();
            List<Example> first = stream.subList(0, 40);
            Path file = work.resolve("first-40-" + System.nanoTime() + ".jsonl");
            Files.write(file, first.stream().map(ContractJson::writeString).toList());
            Path report = work.resolve("first-40.report.jsonl");
            CliRun push = CliRun.of("--url", ingest.url(""), "--api-key", KEY, "--categorize-url",
                    services.get(1).url(""), "--submission", "e2e-first-40", "--wait", "--wait-timeout", "2m",
                    "--report", report.toString(), "--no-progress", file.toString());
            assertThat(push.exitCode()).as(push.toString()).isZero();
            assertThat(push.out()).contains("submission: e2e-first-40")
                    .contains("verdicts of submission e2e-first-40: every example judged or rejected")
                    .containsPattern("judged by +knowgate-base@1 40");
            List<SubmissionOutcome> outcomes = Files.readAllLines(report).stream()
                    .map(l -> ContractJson.read(l, SubmissionOutcome.class)).toList();
            assertThat(outcomes).hasSize(40).allMatch(o -> o.state() == SubmissionOutcome.State.CATEGORIZED
                    && o.model().equals("knowgate-base@1") && o.curator().equals("e2e"));
            assertThat(outcomes).extracting(SubmissionOutcome::exampleId)
                    .containsExactlyInAnyOrderElementsOf(first.stream().map(Example::id).toList());
            String firstId = first.get(0).id();
            assertThat(PipelineTopics.verdictVersion(bootstrap, firstId)).contains(1L);

            // 2. The trainer's round publishes v2 (its accepted examples reach the minimum).
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> models(bootstrap).contains("knowgate-base@2"));

            // 2b. v2's whole evaluation, answered under v2 itself, decides it.
            ModelDecision decided = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> PipelineTopics.decision(bootstrap, "knowgate-base@2"), Optional::isPresent).orElseThrow();
            assertThat(decided.status()).isEqualTo(DecisionStatus.PROMOTED);
            assertThat(decided.decidedBy()).isEqualTo(ModelDecision.BY_MONITOR);
            assertThat(decided.evidence().probesAnswered()).isEqualTo(decided.evidence().probesTotal()).isPositive();
            List<ProbeResult> v2Results = TopicContents.committed(bootstrap, Topics.PROBES_RESULTS.name()).stream()
                    .map(r -> ContractJson.read(r.value(), ProbeResult.class))
                    .filter(r -> r.evaluationId().equals(decided.evidence().evaluationId())).toList();
            assertThat(v2Results).isNotEmpty().allMatch(r -> r.modelVersion() == 2);

            // 3. categorize-stream swaps to v2: an example pushed now is judged under v2.
            Example later = stream.get(stream.size() - 1);
            String laterId = ContractJson.read(ContractJson.write(later), Example.class).id();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                push(ingest, later);
                return PipelineTopics.verdictVersion(bootstrap, laterId).filter(v -> v >= 2).isPresent();
            });

            // 4. The monitor has probed v2.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                String body = ServiceProcess.get(monitor.url("/v1/versions")).body();
                return body.contains("\"key\":\"knowgate-base@2\"");
            });

            // 5. The rigged change-point test fires an alert.
            List<Alert> alerts = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> TopicContents.committed(bootstrap, Topics.ALERTS.name()).stream()
                            .map(r -> ContractJson.read(r.value(), Alert.class)).toList(), l -> !l.isEmpty());
            assertThat(alerts).extracting(Alert::kind).contains(AlertKind.CHANGE_POINT);
        } catch (Throwable t) {
            ServiceProcess.printLogs(services);
            throw t;
        } finally {
            ServiceProcess.closeAll(services);
        }
    }

    /** knowgate-push (or another of the curators' commands) run in this JVM, as a curator runs it. */
    record CliRun(int exitCode, String out, String err) {
        static CliRun of(String... args) {
            return run(PushCommand.commandLine(new PushCommand()), args);
        }

        static CliRun run(picocli.CommandLine cli, String... args) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            cli.setOut(new java.io.PrintWriter(out, true));
            cli.setErr(new java.io.PrintWriter(err, true));
            int code = cli.execute(args);
            return new CliRun(code, out.toString(), err.toString());
        }
    }

    private static void push(ServiceProcess ingest, Example e) throws Exception {
        int status = ServiceProcess.post(ingest.url("/v1/examples"), ContractJson.writeString(e), Map.of("X-Api-Key", KEY))
                .statusCode();
        assertThat(status).isEqualTo(202);
    }



    private static List<String> models(String bootstrap) {
        return TopicContents.committed(bootstrap, Topics.MODELS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelVersion.class).key()).toList();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
