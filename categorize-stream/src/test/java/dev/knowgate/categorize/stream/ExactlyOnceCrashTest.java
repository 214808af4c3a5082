package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once across a crash: the app is killed (SIGKILL, no clean shutdown) in the middle of 1000
 * examples and a probe evaluation of 300 probes, and started again; read_committed, every example
 * appears exactly once in examples.categorized and once in accepted or quarantined, and every probe
 * exactly once in probes.results: a crash between an evaluation and its decision neither loses an
 * answer nor gives the monitor one twice. The examples belong to two curators' submissions, whose
 * counts (the submissions store, read from its changelog) add up to exactly what was pushed. Then
 * curators' decisions about 30 quarantined examples (10 releases, 10 drops, 10 amendments, each sent
 * twice) meet another SIGKILL and are all sent once more after it: each release reaches
 * examples.released once, each amendment is resubmitted and judged once, and the queue's state
 * (the quarantine store, read from its changelog) holds one decision per example.
 */
class ExactlyOnceCrashTest {

    static final int EXAMPLES = 1000;

    @TempDir
    Path tmp;
    int launches;

    @Test
    void everyExampleIsCategorizedExactlyOnceDespiteAKillInTheMiddle() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
        }
        FactWorld world = FactWorld.generate(WorldConfig.preset("standard", 42L));
        List<Example> pool = world.finetunePool().stream().limit(EXAMPLES).map(f -> f.toExample()).toList();
        List<Example> examples = java.util.stream.IntStream.range(0, EXAMPLES).mapToObj(i ->
                pool.get(i).withCurator("crash").withSubmission(i < EXAMPLES / 2 ? "crash-a" : "crash-b")).toList();
        List<Example> probes = world.probes().stream().map(f -> f.toExample()).toList();
        List<ProducerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            records.add(new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), e.id(), ContractJson.write(e)));
            if (i % 3 == 0 && i / 3 < probes.size()) { // the evaluation interleaved with the stream
                Example p = probes.get(i / 3);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), p.id(),
                        ContractJson.write(p));
                r.headers().add(ProbeHeaders.MODEL, "knowgate-base@1".getBytes(StandardCharsets.UTF_8));
                r.headers().add(ProbeHeaders.EVALUATION_ID, "eval-crash".getBytes(StandardCharsets.UTF_8));
                records.add(r);
            }
        }
        TopicContents.write(bootstrap, records);

        Path state = tmp.resolve("state");
        Process first = launch(bootstrap, state);
        try {
            awaitUncommittedAtLeast(bootstrap, 250, first);
        } finally {
            first.destroyForcibly().waitFor(); // SIGKILL: no commit, no flush, no clean shutdown
        }
        int beforeRestart = TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size();
        assertThat(beforeRestart).as("killed in the middle").isLessThan(EXAMPLES);

        long restart = System.nanoTime();
        Process second = launch(bootstrap, state);
        double resumedAfter = -1;
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            int committed;
            while ((committed = TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size()) < EXAMPLES
                    || TopicContents.committed(bootstrap, Topics.PROBES_RESULTS.name()).size() < probes.size()
                    || submissions(bootstrap).values().stream().mapToLong(SubmissionStatus::categorized).sum() < EXAMPLES) {
                if (resumedAfter < 0 && committed > beforeRestart) {
                    resumedAfter = (System.nanoTime() - restart) / 1e9;
                }
                assertThat(second.isAlive()).as("the restarted app is running").isTrue();
                assertThat(System.nanoTime()).as("all %d categorized within 4 minutes", EXAMPLES).isLessThan(deadline);
                Thread.sleep(500);
            }
            Thread.sleep(1_000); // a late duplicate would show up now
        } finally {
            second.destroy();
            second.waitFor();
        }

        if (resumedAfter < 0) {
            resumedAfter = (System.nanoTime() - restart) / 1e9;
        }
        System.out.printf("first verdict committed %.1f s after the restart%n", resumedAfter);
        // Static membership: the restarted instance replaces the killed one at once. Without it, the
        // killed member holds its partitions until its 45 s session expires.
        assertThat(resumedAfter).as("seconds from the restart to the first committed verdict").isLessThan(40);

        Set<String> ids = examples.stream().map(Example::id).collect(Collectors.toSet());
        Map<String, Long> categorized = countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()));
        assertThat(categorized.keySet()).isEqualTo(ids);
        assertThat(categorized.values()).allMatch(n -> n == 1L);
        Map<String, Long> routed = countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_ACCEPTED.name()));
        countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_QUARANTINED.name()))
                .forEach((id, n) -> routed.merge(id, n, Long::sum));
        assertThat(routed.keySet()).isEqualTo(ids);
        assertThat(routed.values()).allMatch(n -> n == 1L);
        Map<String, Long> answered = TopicContents.committed(bootstrap, Topics.PROBES_RESULTS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ProbeResult.class))
                .peek(r -> assertThat(r.evaluationId()).isEqualTo("eval-crash"))
                .collect(Collectors.groupingBy(ProbeResult::probeId, Collectors.counting()));
        assertThat(answered.keySet()).isEqualTo(probes.stream().map(Example::id).collect(Collectors.toSet()));
        assertThat(answered.values()).allMatch(n -> n == 1L);
        // Each submission counts its 500 examples once, by the categories their one verdict each gave.
        Map<String, SubmissionStatus> submissions = submissions(bootstrap);
        assertThat(submissions.keySet()).containsExactlyInAnyOrder("crash/crash-a", "crash/crash-b");
        Map<String, CategorizedExample> verdicts = TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name())
                .stream().map(r -> ContractJson.read(r.value(), CategorizedExample.class))
                .collect(Collectors.toMap(c -> c.example().id(), Function.identity()));
        for (SubmissionStatus s : submissions.values()) {
            assertThat(s.examples()).as(s.submission()).isEqualTo(EXAMPLES / 2);
            assertThat(s.records()).as(s.submission()).isEqualTo(EXAMPLES / 2);
            assertThat(s.categorized()).as(s.submission()).isEqualTo(EXAMPLES / 2);
            assertThat(s.pending() + s.rejected()).as(s.submission()).isZero();
            Map<dev.knowgate.contracts.Category, Long> expected = verdicts.values().stream()
                    .filter(c -> s.submission().equals(c.example().submission()))
                    .collect(Collectors.groupingBy(c -> c.verdict().category(), Collectors.counting()));
            assertThat(s.byCategory()).as(s.submission()).isEqualTo(expected);
        }
        // The crash really cost work that was redone: uncommitted output exists beyond the committed.
        assertThat(TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size())
                .isGreaterThanOrEqualTo(EXAMPLES);

        decisionsAreAppliedOnceAcrossAKill(bootstrap, state);
    }

    private void decisionsAreAppliedOnceAcrossAKill(String bootstrap, Path state) throws Exception {
        List<CategorizedExample> quarantined = TopicContents.committed(bootstrap, Topics.EXAMPLES_QUARANTINED.name()).stream()
                .map(r -> ContractJson.read(r.value(), CategorizedExample.class)).limit(30).toList();
        assertThat(quarantined).hasSize(30);
        java.time.Instant at = java.time.Instant.parse("2026-12-06T12:00:00Z");
        List<QuarantineDecision> decisions = new java.util.ArrayList<>();
        Set<String> amendedIds = new java.util.HashSet<>();
        for (int i = 0; i < 30; i++) {
            CategorizedExample c = quarantined.get(i);
            String id = c.example().id();
            String model = c.verdict().modelKey();
            QuarantineDecision d = switch (i % 3) {
                case 0 -> new QuarantineDecision("crash-d" + i, id, QuarantineDecision.Action.RELEASE, "crash", "teach it",
                        model, null, List.of(), null, at);
                case 1 -> new QuarantineDecision("crash-d" + i, id, QuarantineDecision.Action.DROP, "crash", "not wanted",
                        model, null, List.of(), null, at);
                default -> {
                    String amendedId = QuarantineDecision.amended(c.example(), "Corrected " + i, List.of()).id();
                    amendedIds.add(amendedId);
                    yield new QuarantineDecision("crash-d" + i, id, QuarantineDecision.Action.AMEND, "crash", "typo", model,
                            "Corrected " + i, List.of(), amendedId, at);
                }
            };
            decisions.add(d);
        }
        sendDecisions(bootstrap, decisions);
        sendDecisions(bootstrap, decisions); // a client that retried

        int categorizedBefore = TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size();
        Process third = launch(bootstrap, state);
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            // Killed once the amendments' judging has begun: the decisions' transactions are under way.
            while (TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size() <= categorizedBefore) {
                assertThat(third.isAlive()).isTrue();
                assertThat(System.nanoTime()).as("amendments judged within 3 minutes").isLessThan(deadline);
                Thread.sleep(50);
            }
        } finally {
            third.destroyForcibly().waitFor();
        }
        sendDecisions(bootstrap, decisions); // sent again after the crash

        Process fourth = launch(bootstrap, state);
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (released(bootstrap).size() < 10 || !categorizedIds(bootstrap).containsAll(amendedIds)) {
                assertThat(fourth.isAlive()).isTrue();
                assertThat(System.nanoTime()).as("decisions applied within 3 minutes").isLessThan(deadline);
                Thread.sleep(500);
            }
            Thread.sleep(1_500); // a late duplicate would show up now
        } finally {
            fourth.destroy();
            fourth.waitFor();
        }
        Map<String, Long> releases = released(bootstrap);
        assertThat(releases.keySet()).isEqualTo(decisions.stream().filter(d -> d.action() == QuarantineDecision.Action.RELEASE)
                .map(QuarantineDecision::exampleId).collect(Collectors.toSet()));
        assertThat(releases.values()).as("each release once").allMatch(n -> n == 1L);
        Map<String, Long> resubmitted = TopicContents.committed(bootstrap, Topics.EXAMPLES_SUBMITTED.name()).stream()
                .map(r -> r.key()).filter(amendedIds::contains)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(resubmitted.keySet()).isEqualTo(amendedIds);
        assertThat(resubmitted.values()).as("each amendment resubmitted once").allMatch(n -> n == 1L);
        Map<String, Long> judged = countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()));
        assertThat(amendedIds).allMatch(id -> judged.get(id) == 1L);
        Map<String, QuarantinedExample> queue = new java.util.HashMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(bootstrap,
                "knowgate-categorize-crash-test-" + CategorizeTopology.QUARANTINE_STORE + "-changelog")) {
            if (r.value() != null) {
                queue.put(r.key(), ContractJson.read(r.value(), QuarantinedExample.class));
            }
        }
        for (QuarantineDecision d : decisions) {
            QuarantinedExample q = queue.get(d.exampleId());
            assertThat(q.decisions()).as(d.exampleId()).containsExactly(d);
            assertThat(q.state()).isEqualTo(dev.knowgate.contracts.QuarantineEntry.State.after(d.action()));
        }
    }

    private static void sendDecisions(String bootstrap, List<QuarantineDecision> decisions) {
        TopicContents.write(bootstrap, decisions.stream().map(d -> new ProducerRecord<>(Topics.QUARANTINE_DECISIONS.name(),
                d.exampleId(), ContractJson.write(d))).toList());
    }

    /** Released examples on examples.released (read_committed), with how often each appears. */
    private static Map<String, Long> released(String bootstrap) {
        return TopicContents.committed(bootstrap, Topics.EXAMPLES_RELEASED.name()).stream()
                .map(r -> ContractJson.read(r.value(), CategorizedExample.class))
                .filter(c -> c.route() == dev.knowgate.contracts.Route.RELEASED)
                .collect(Collectors.groupingBy(c -> c.example().id(), Collectors.counting()));
    }

    private static Set<String> categorizedIds(String bootstrap) {
        return countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name())).keySet();
    }

    /** The submissions store as its changelog holds it (read_committed): the last status per key. */
    private static Map<String, SubmissionStatus> submissions(String bootstrap) {
        Map<String, SubmissionStatus> last = new java.util.HashMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(bootstrap,
                "knowgate-categorize-crash-test-" + CategorizeTopology.SUBMISSIONS_STORE + "-changelog")) {
            if (r.value() != null) {
                last.put(r.key(), ContractJson.read(r.value(), SubmissionStatus.class));
            }
        }
        return last;
    }

    private static Map<String, Long> countById(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> ContractJson.read(r.value(), CategorizedExample.class).example().id())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static void awaitUncommittedAtLeast(String bootstrap, int n, Process app) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size() < n) {
            assertThat(app.isAlive()).as(() -> "the app is running (exit " + app.exitValue() + ", see target/crash-test-app-*.log)")
                    .isTrue();
            assertThat(System.nanoTime()).as("%d verdicts within 3 minutes", n).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private Process launch(String bootstrap, Path state) throws Exception {
        // Kept in target/ for a look after a failure.
        return CrashableCategorizeApp.launch(Path.of("target", "crash-test-app-" + (++launches) + ".log"), bootstrap,
                state.toString(), TestModels.base().toString());
    }
}
