package dev.knowgate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.ingest.cli.QuarantineCommand;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.trainer.round.ReleaseBudget;
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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A curator's review of the quarantine with the real services and the real CLIs, on a broker of its
 * own: examples pushed with knowgate-push are judged by the micro model (most are Unknown and
 * quarantined); knowgate-quarantine lists them with the model's answers and releases, drops and
 * amends some; each decision is one record on quarantine.decisions; the trainer admits released
 * examples within its budget (the rest wait), its candidate passes the monitor's gate, and the
 * waiting ones go into the next round. A key without rights and a decision on a decided example are
 * refused with their exit codes.
 */
class QuarantineReviewEndToEndTest {

    static final String KEY = "e2e-reviewer-key-0123456789";
    static final String OPERATOR = "e2e-operator-key-0123456789";
    static final double BUDGET = 0.3;

    @Test
    void aCuratorReleasesDropsAndAmendsAndTheTrainerAdmitsReleasesWithinItsBudget() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "e2e-quarantine").toAbsolutePath());
        Path model = MicroModel.get();
        Path keys = work.resolve("api-keys");
        Files.writeString(keys, "reviewer " + sha256(KEY) + " submit\nnobody " + sha256("e2e-nobody-key-0123456789") + " probe\n");
        Path registry = Files.createTempDirectory(work, "registry");
        Path state = Files.createTempDirectory(work, "state");
        String known = "HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN";
        List<ServiceProcess> services = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start()) { // its own: the other e2e tests use the same topics and groups
            String bootstrap = broker.bootstrapServers();
            ServiceProcess ingest = ServiceProcess.start("ingest", "ingest/service", work, bootstrap,
                    Map.of("knowgate.ingest.auth.keys-file", keys.toString()));
            services.add(ingest);
            ServiceProcess categorize = ServiceProcess.start("categorize-stream", "categorize-stream", work, bootstrap, Map.of(
                    "knowgate.categorize.model.initial", model.toString(),
                    "knowgate.categorize.model.registry", registry.toString(),
                    "knowgate.categorize.model.trusted-keys", work.resolve("keys/signing.pub").toString(),
                    "knowgate.categorize.routing.accept", known,
                    "knowgate.categorize.batch.max-wait", "100ms",
                    "knowgate.categorize.auth.keys-file", keys.toString(),
                    "kafka-streams.state.dir", state.resolve("categorize").toString()));
            services.add(categorize);
            ServiceProcess trainer = ServiceProcess.start("trainer", "trainer", work, bootstrap, Map.ofEntries(
                    Map.entry("knowgate.trainer.model.initial", model.toString()),
                    Map.entry("knowgate.trainer.registry.dir", registry.toString()),
                    Map.entry("knowgate.trainer.registry.signing-key", work.resolve("keys/signing.key").toString()),
                    Map.entry("knowgate.trainer.registry.public-key", work.resolve("keys/signing.pub").toString()),
                    Map.entry("knowgate.trainer.round.start-paused", "true"),
                    Map.entry("knowgate.trainer.round.min-examples", "4"),
                    Map.entry("knowgate.trainer.round.max-wait", "3s"),
                    Map.entry("knowgate.trainer.mix.categories", known),
                    Map.entry("knowgate.trainer.released.budget", Double.toString(BUDGET)),
                    Map.entry("knowgate.trainer.finetune.epochs", "2"),
                    Map.entry("knowgate.trainer.auth.keys.oncall.sha256", sha256(OPERATOR))));
            services.add(trainer);
            services.add(ServiceProcess.start("monitor", "monitor", work, bootstrap, Map.of(
                    "knowgate.monitor.probes.world-preset", "micro",
                    // The path is the gate's; the limits are wide open because the micro model's forgetting is noise.
                    "knowgate.monitor.gate.max-forgetting", "1.0",
                    "knowgate.monitor.gate.max-accuracy-drop", "1.0",
                    "kafka-streams.state.dir", state.resolve("monitor").toString())));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> services.stream().allMatch(ServiceProcess::ready));

            // 1. A push, judged: most of what the micro model is asked it does not know.
            List<Example> stream = FactWorld.generate(WorldConfig.preset("micro", 42L)).finetunePool().stream()
                    .map(Fact::toExample).toList();
            Path first = work.resolve("first-" + System.nanoTime() + ".jsonl");
            Files.write(first, stream.subList(0, 60).stream().map(ContractJson::writeString).toList());
            PipelineEndToEndTest.CliRun push = PipelineEndToEndTest.CliRun.of("--url", ingest.url(""), "--api-key", KEY,
                    "--categorize-url", categorize.url(""), "--submission", "review-1", "--wait", "--wait-timeout", "2m",
                    "--no-progress", first.toString());
            assertThat(push.exitCode()).as(push.toString()).isZero();

            // 2. The queue, as knowgate-quarantine lists it.
            PipelineEndToEndTest.CliRun listed = Cli.of("list", "--categorize-url", categorize.url(""), "--api-key", KEY, "--submission", "review-1",
                    "--json", "--limit", "1000");
            assertThat(listed.exitCode()).as(listed.toString()).isZero();
            List<QuarantineEntry> queue = listed.out().lines().map(l -> ContractJson.read(l, QuarantineEntry.class)).toList();
            assertThat(queue).as("the micro model knows few facts").hasSizeGreaterThanOrEqualTo(12)
                    .allMatch(e -> e.state() == QuarantineEntry.State.OPEN && e.evidence() != null);
            PipelineEndToEndTest.CliRun table = Cli.of("list", "--categorize-url", categorize.url(""), "--api-key", KEY, "--submission", "review-1",
                    "--limit", "3");
            assertThat(table.out()).contains("3 of " + queue.size() + " open quarantined examples of submission review-1")
                    .contains("MODEL SAYS").contains(queue.get(0).example().id());

            // 3. Decisions: eight released, one dropped, one amended.
            List<String> released = queue.subList(0, 8).stream().map(e -> e.example().id()).toList();
            List<String> release = new ArrayList<>(List.of("release", "--categorize-url", categorize.url(""), "--api-key", KEY,
                    "--reason", "new facts from the 2026 registry"));
            release.addAll(released);
            PipelineEndToEndTest.CliRun r = Cli.of(release.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out().lines()).hasSize(8).allMatch(l -> l.startsWith("released ex-") && l.contains("recorded"));
            String droppedId = queue.get(8).example().id();
            assertThat(Cli.of("drop", droppedId, "--categorize-url", categorize.url(""), "--api-key", KEY,
                    "--reason", "a duplicate").exitCode()).isZero();
            PipelineEndToEndTest.CliRun amend = Cli.of("amend", queue.get(9).example().id(), "--categorize-url", categorize.url(""), "--api-key", KEY,
                    "--reason", "the gold answer was wrong", "--answer", "Morrow");
            assertThat(amend.exitCode()).as(amend.toString()).isZero();
            assertThat(amend.out()).contains("resubmitted as ex-");
            // Refused: a key without the right (exit 3), a decision on a decided example (exit 1).
            assertThat(Cli.of("drop", droppedId, "--categorize-url", categorize.url(""), "--api-key", "e2e-nobody-key-0123456789",
                    "--reason", "x").exitCode()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> Cli.of("show", droppedId, "--categorize-url", categorize.url(""),
                    "--api-key", KEY).out().contains("state:       dropped"));
            PipelineEndToEndTest.CliRun again = Cli.of("release", droppedId, "--categorize-url", categorize.url(""), "--api-key", KEY, "--reason", "x");
            assertThat(again.exitCode()).isEqualTo(1);
            assertThat(again.err()).contains("HTTP 409").contains("dropped");

            List<QuarantineDecision> decisions = TopicContents.committed(bootstrap, Topics.QUARANTINE_DECISIONS.name()).stream()
                    .map(x -> ContractJson.read(x.value(), QuarantineDecision.class)).toList();
            assertThat(decisions).as("one record per decision").hasSize(10).allMatch(d -> d.decidedBy().equals("reviewer"));
            await().atMost(Duration.ofSeconds(30)).until(() -> releasedOnTopic(bootstrap).size() == 8);
            assertThat(releasedOnTopic(bootstrap)).containsExactlyInAnyOrderElementsOf(released);

            // 4. The trainer reads it all: the round admits released examples within the budget; the rest wait.
            assertThat(ServiceProcess.post(trainer.url("/v1/consumption/resume"), "", Map.of("X-Api-Key", OPERATOR))
                    .statusCode()).isLessThan(300);
            JsonNode round1 = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> promoted(trainer, 1), java.util.Objects::nonNull);
            List<String> admitted1 = ids(round1.path("released"));
            int others1 = trainable(round1) - admitted1.size();
            assertThat(admitted1).as("admitted within the budget, " + round1).isNotEmpty()
                    .hasSizeLessThanOrEqualTo(ReleaseBudget.admits(BUDGET, others1)).hasSizeLessThan(8);
            assertThat(released).containsAll(admitted1);
            ModelVersion v2 = versions(bootstrap).stream().filter(v -> v.version() == 2).findFirst().orElseThrow();
            assertThat(v2.round().released()).containsExactlyElementsOf(admitted1);

            // 5. More examples: the next round takes released ones that waited.
            Path second = work.resolve("second-" + System.nanoTime() + ".jsonl");
            Files.write(second, stream.subList(60, 140).stream().map(ContractJson::writeString).toList());
            assertThat(PipelineEndToEndTest.CliRun.of("--url", ingest.url(""), "--api-key", KEY, "--submission", "review-2",
                    "--no-progress", second.toString()).exitCode()).isZero();
            JsonNode round2 = await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> promoted(trainer, 2), java.util.Objects::nonNull);
            List<String> admitted2 = ids(round2.path("released"));
            assertThat(admitted2).as("released examples that waited, " + round2).isNotEmpty().doesNotContainAnyElementsOf(admitted1);
            assertThat(released).containsAll(admitted2);
            assertThat(admitted2.size()).isLessThanOrEqualTo(ReleaseBudget.admits(BUDGET, trainable(round2) - admitted2.size()));
        } catch (Throwable t) {
            ServiceProcess.printLogs(services);
            throw t;
        } finally {
            ServiceProcess.closeAll(services);
        }
    }

    /** knowgate-quarantine run in this JVM, as a curator runs it. */
    private static final class Cli {
        static PipelineEndToEndTest.CliRun of(String... args) {
            return PipelineEndToEndTest.CliRun.run(QuarantineCommand.commandLine(), args);
        }
    }

    private static Set<String> releasedOnTopic(String bootstrap) {
        Set<String> ids = new HashSet<>();
        TopicContents.committed(bootstrap, Topics.EXAMPLES_RELEASED.name()).stream()
                .map(x -> ContractJson.read(x.value(), CategorizedExample.class))
                .filter(c -> c.route() == Route.RELEASED).forEach(c -> ids.add(c.example().id()));
        return ids;
    }

    /** The n-th promoted round (1-based, oldest first) of GET /v1/rounds, or null while there is none. */
    private static JsonNode promoted(ServiceProcess trainer, int n) throws Exception {
        JsonNode rounds = ContractJson.mapper().readTree(ServiceProcess.get(trainer.url("/v1/rounds")).body());
        List<JsonNode> done = new ArrayList<>();
        rounds.forEach(x -> {
            if ("PROMOTED".equals(x.path("status").asText())) {
                done.add(0, x); // newest first in the answer
            }
        });
        return done.size() >= n ? done.get(n - 1) : null;
    }

    private static int trainable(JsonNode round) {
        int n = 0;
        for (JsonNode count : round.path("examplesByCategory")) {
            n += count.asInt();
        }
        return n;
    }

    private static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static List<ModelVersion> versions(String bootstrap) {
        return TopicContents.committed(bootstrap, Topics.MODELS.name()).stream()
                .map(x -> ContractJson.read(x.value(), ModelVersion.class)).toList();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
