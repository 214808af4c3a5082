package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crash of the monitor between a candidate's evaluation and its decision: the monitor (its
 * topology in a child JVM) has every probe answered for v2 and has written the decision in its open
 * transaction when it is killed (SIGKILL). After a restart on the same state, the decision is made
 * again and committed once: read_committed, v2 is promoted exactly once (and v1, the base, once);
 * the killed attempt's decision exists only in the aborted transaction.
 */
class MonitorCrashTest {

    static final int PROBES = 300;
    static final String MODEL = "knowgate-base";

    @TempDir
    Path tmp;
    int launches;

    @Test
    void aDecisionIsMadeOnceDespiteAKillBetweenTheEvaluationAndItsCommit() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
        }
        List<ProducerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        for (long v = 1; v <= 2; v++) {
            ModelVersion version = new ModelVersion(SchemaVersions.CURRENT, MODEL, v, v == 1 ? null : v - 1, "knowgate-gpt",
                    List.of(new ModelFile("model.onnx", "0".repeat(64), 1)), "Q: {question}\nA:", "\n", Instant.now(),
                    null, "/registry/" + v);
            records.add(new ProducerRecord<>(Topics.MODELS.name(), version.key(), ContractJson.write(version)));
        }
        for (long v = 1; v <= 2; v++) {
            for (int i = 0; i < PROBES; i++) {
                boolean right = v == 1 || i >= 2; // v2 forgets 2 of 300: within the gate
                ProbeResult r = new ProbeResult("probe-" + i, "eval-" + v, MODEL, v,
                        right ? Category.HIGHLY_KNOWN : Category.UNKNOWN, right ? 1 : 0, right ? 1 : 0, right, Instant.now());
                records.add(new ProducerRecord<>(Topics.PROBES_RESULTS.name(), r.probeId(), ContractJson.write(r)));
            }
        }
        TopicContents.write(bootstrap, records);

        Path state = tmp.resolve("state");
        Process first = launch(bootstrap, state, "2"); // its producer stops once v2's decision is written
        try {
            // A liveness bound, not a timing: the events reach the decision through a repartition topic,
            // visible only as each 8 s transaction commits, so v2's decision takes one to three commit
            // intervals after a start (40-60 s with 20 s commits on a quiet 2-core machine; CI once took
            // over 2 minutes).
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (decisions(TopicContents.uncommitted(bootstrap, Topics.MODELS_DECISIONS.name()), 2) == 0) {
                assertThat(first.isAlive()).as(() -> "the monitor is running:\n" + log(1)).isTrue();
                assertThat(System.nanoTime()).as(() -> "v2 decided within 4 minutes:\n" + log(1)).isLessThan(deadline);
                Thread.sleep(50);
            }
        } finally {
            first.destroyForcibly().waitFor(); // SIGKILL: the transaction holding the decision is never committed
        }
        assertThat(decisions(TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()), 2))
                .as("killed after deciding, before committing").isZero();

        Process second = launch(bootstrap, state);
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (decisions(TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()), 2) == 0) {
                assertThat(second.isAlive()).as(() -> "the restarted monitor is running:\n" + log(2)).isTrue();
                assertThat(System.nanoTime()).as(() -> "v2's decision committed within 4 minutes:\n" + log(2)).isLessThan(deadline);
                Thread.sleep(200);
            }
            Thread.sleep(1_000); // a late second decision would show up now
        } finally {
            second.destroyForcibly().waitFor();
        }

        List<ModelDecision> committed = TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelDecision.class)).toList();
        assertThat(committed).extracting(ModelDecision::key).containsExactly("knowgate-base@1", "knowgate-base@2");
        ModelDecision v2 = committed.get(1);
        assertThat(v2.status()).isEqualTo(DecisionStatus.PROMOTED);
        assertThat(v2.evidence().probesAnswered()).isEqualTo(PROBES);
        assertThat(v2.evidence().forgotten()).isEqualTo(2);
        assertThat(decisions(TopicContents.uncommitted(bootstrap, Topics.MODELS_DECISIONS.name()), 2))
                .as("the killed attempt's decision is in the aborted transaction").isGreaterThanOrEqualTo(2);
    }

    private static long decisions(List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> records, long version) {
        return records.stream().map(r -> ContractJson.read(r.value(), ModelDecision.class))
                .filter(d -> d.modelVersion() == version).count();
    }

    /** The child's output (its state changes are timestamped), so that a failure in CI shows where the time went. */
    private static String log(int launch) {
        try {
            return Files.readString(Path.of("target", "crash-monitor-" + launch + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Process launch(String bootstrap, Path state, String... freezeAfter) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(bootstrap, state.toString(), Integer.toString(PROBES)));
        args.addAll(List.of(freezeAfter));
        return dev.knowgate.testing.ChildJvm.start(Path.of("target", "crash-monitor-" + (++launches) + ".log"), "512m",
                CrashableMonitorApp.class, args.toArray(String[]::new));
    }
}
