package dev.knowgate.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * categorize-stream scaled out: two instances of the packaged service, each in its own JVM, share
 * examples.submitted's six partitions on a real broker, with one standby replica each. Each answers
 * GET /v1/verdicts/{id} for the keys the other owns (forwarded to the owner, which says so in
 * Knowgate-Served-By); an id nobody has is a 404 from its owner. Then a second wave is pushed and one
 * instance is killed with SIGKILL while it works: the survivor takes its partitions over, every
 * verdict is answerable from it, a verdict answered before is never a 404 meanwhile (503 with
 * Retry-After instead), and read_committed every example is categorized and routed exactly once.
 */
class CategorizeScaleOutTest {

    static final int WAVE = 40;
    static final String APPLICATION_ID = "knowgate-categorize";
    static final String CURATOR_KEY = "scale-out-curator-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoInstancesAnswerForEachOtherAndTheSurvivorTakesOverAfterASigkill() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) { // a broker of its own: the other e2e tests use the same topics
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
            }
            Path work = Files.createDirectories(Path.of("target", "scale-out").toAbsolutePath());
            Path run = Files.createTempDirectory(work, "categorize");
            // The first wave is eight curators' submissions of five examples: their keys spread over both instances.
            List<Fact> facts = FactWorld.generate(WorldConfig.preset("standard", 42L)).finetunePool().stream()
                    .limit(2 * WAVE).toList();
            List<Example> examples = new ArrayList<>();
            for (int i = 0; i < facts.size(); i++) {
                Example e = facts.get(i).toExample();
                examples.add(i < WAVE ? e.withCurator("mira").withSubmission("wave-" + i / 5) : e);
            }
            List<String> firstWave = examples.subList(0, WAVE).stream().map(Example::id).toList();
            List<String> all = examples.stream().map(Example::id).toList();
            produce(bootstrap, examples.subList(0, WAVE));

            List<ServiceProcess> services = new ArrayList<>();
            try {
                ServiceProcess a = instance("categorize-a", run, bootstrap);
                services.add(a);
                ServiceProcess b = instance("categorize-b", run, bootstrap);
                services.add(b);
                await("both instances ready").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250))
                        .until(() -> a.ready() && b.ready());
                awaitCategorized("the first wave", firstWave, Duration.ofSeconds(120), bootstrap, services);

                // 1. Each instance answers every key; the owner's store answers, itself or the other.
                Map<String, Set<String>> servedBy = new TreeMap<>();
                for (ServiceProcess asked : List.of(a, b)) {
                    for (String id : firstWave) {
                        HttpResponse<String> r = awaitAnswer(asked, id);
                        assertThat(r.statusCode()).as("%s asked for %s: %s", asked.name, id, r.body()).isEqualTo(200);
                        assertThat(JSON.readTree(r.body()).path("exampleId").asText()).isEqualTo(id);
                        servedBy.computeIfAbsent(asked.name, k -> new HashSet<>())
                                .add(r.headers().firstValue("Knowgate-Served-By").orElseThrow());
                    }
                }
                String hostA = "127.0.0.1:" + a.port;
                String hostB = "127.0.0.1:" + b.port;
                // Each instance answered some keys from its own store and forwarded the others' to their owner.
                assertThat(servedBy).containsEntry(a.name, Set.of(hostA, hostB)).containsEntry(b.name, Set.of(hostA, hostB));
                for (ServiceProcess asked : List.of(a, b)) {
                    HttpResponse<String> missing = awaitAnswer(asked, "ex-nobody-has-this");
                    assertThat(missing.statusCode()).isEqualTo(404);
                    assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
                }
                // 1b. So does GET /v1/submissions/{id}: forwarded with the caller's key, which the owner checks.
                Map<String, Set<String>> submissionsServedBy = new TreeMap<>();
                for (ServiceProcess asked : List.of(a, b)) {
                    for (int k = 0; k < WAVE / 5; k++) {
                        String url = asked.url("/v1/submissions/wave-" + k);
                        HttpResponse<String> r = await(asked.name + " counts wave-" + k).atMost(Duration.ofSeconds(60))
                                .pollInterval(Duration.ofMillis(250)).until(() -> ServiceProcess.get(url, Map.of("X-Api-Key", CURATOR_KEY)),
                                        x -> x.statusCode() == 200 && settled(x.body(), 5));
                        submissionsServedBy.computeIfAbsent(asked.name, x -> new HashSet<>())
                                .add(r.headers().firstValue("Knowgate-Served-By").orElseThrow());
                        assertThat(ServiceProcess.get(url).statusCode()).as("without a key").isEqualTo(401);
                        assertThat(ServiceProcess.get(url, Map.of("X-Api-Key", "not-a-key")).statusCode()).isEqualTo(401);
                    }
                }
                assertThat(submissionsServedBy).containsEntry(a.name, Set.of(hostA, hostB)).containsEntry(b.name, Set.of(hostA, hostB));
                // Standby replicas: each instance keeps a copy of the other's three tasks besides its own three,
                // of both sub-topologies (categorizing, 0_*, and counting submissions, 1_*).
                for (String name : List.of("categorize-a", "categorize-b")) {
                    Set<String> tasks = taskDirs(run.resolve("state-" + name));
                    assertThat(tasks.stream().filter(t -> t.startsWith("0_"))).as(name).hasSize(6);
                    assertThat(tasks.stream().filter(t -> t.startsWith("1_"))).as(name).hasSize(6);
                }

                // 2. The second wave, and SIGKILL of b while the two work on it.
                produce(bootstrap, examples.subList(WAVE, 2 * WAVE));
                await("work on the second wave under way").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size() > WAVE);
                b.kill();
                long killed = System.nanoTime();

                Map<Integer, Integer> statuses = new TreeMap<>();
                long deadline = killed + Duration.ofSeconds(150).toNanos();
                Set<String> answered = new HashSet<>();
                while (answered.size() < all.size()) {
                    assertThat(System.nanoTime()).as("every verdict answerable from the survivor within 150 s").isLessThan(deadline);
                    for (String id : all) {
                        if (answered.contains(id)) {
                            continue;
                        }
                        HttpResponse<String> r = ServiceProcess.get(a.url("/v1/verdicts/" + id));
                        statuses.merge(r.statusCode(), 1, Integer::sum);
                        if (r.statusCode() == 200) {
                            assertThat(JSON.readTree(r.body()).path("verdicts")).as("verdicts of %s", id).hasSize(1);
                            answered.add(id);
                        } else if (r.statusCode() == 503) {
                            assertThat(r.headers().firstValue("Retry-After")).as("503 for %s", id).isPresent();
                        } else {
                            // Never a false 404: an id answered before the kill stays answerable or unavailable.
                            assertThat(firstWave).as("%s answered %d: %s", id, r.statusCode(), r.body()).doesNotContain(id);
                            assertThat(r.statusCode()).as("%s: %s", id, r.body()).isEqualTo(404);
                        }
                    }
                    if (answered.size() < all.size()) {
                        Thread.sleep(250);
                    }
                }
                double takeover = (System.nanoTime() - killed) / 1e9;
                System.out.printf("scale-out: every verdict answerable from the survivor %.1f s after SIGKILL; "
                        + "answers while taking over: %s%n", takeover, statuses);
                for (String id : all) {
                    assertThat(ServiceProcess.get(a.url("/v1/verdicts/" + id)).headers().firstValue("Knowgate-Served-By"))
                            .contains(hostA);
                }

                // 3. Nothing lost, nothing twice: read_committed, every example categorized and routed exactly once.
                awaitCategorized("the second wave", all, Duration.ofSeconds(90), bootstrap, services);
                Map<String, Long> categorized = countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()));
                assertThat(categorized.keySet()).containsExactlyInAnyOrderElementsOf(all);
                assertThat(categorized.values()).allMatch(n -> n == 1L);
                Map<String, Long> routed = countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_ACCEPTED.name()));
                countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_QUARANTINED.name()))
                        .forEach((id, n) -> routed.merge(id, n, Long::sum));
                assertThat(routed.keySet()).containsExactlyInAnyOrderElementsOf(all);
                assertThat(routed.values()).allMatch(n -> n == 1L);
            } catch (Throwable t) {
                ServiceProcess.printLogs(services);
                throw t;
            } finally {
                ServiceProcess.closeAll(services);
            }
        }
    }

    private static ServiceProcess instance(String name, Path run, String bootstrap) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put("knowgate.categorize.model.initial",
                Path.of("..", "models", "knowgate-base-1").toAbsolutePath().normalize().toString());
        config.put("knowgate.categorize.queries.advertised-host", "127.0.0.1");
        config.put("knowgate.categorize.auth.keys.mira.sha256", sha256(CURATOR_KEY));
        // Two prompt sets instead of ten: this test is about ownership, not SliCK; small, quick batches.
        config.put("knowgate.categorize.slick.prompts", "2");
        config.put("knowgate.categorize.batch.size", "8");
        config.put("knowgate.categorize.batch.max-wait", "100ms");
        config.put("knowgate.categorize.batch.max-flush-time", "5s");
        config.put("kafka-streams.state.dir", run.resolve("state-" + name).toString());
        config.put("kafka-streams.group.instance.id", name); // static membership: unique per instance
        config.put("kafka-streams.num.standby.replicas", "1");
        // A crashed static member keeps its partitions until its session expires, and its open
        // transaction holds read_committed readers (and the survivor's restore) until it times out:
        // both shortened here so that the takeover fits a test (defaults: 45 s and the service's 60 s).
        config.put("kafka-streams.session.timeout.ms", "10000");
        config.put("kafka-streams.producer.transaction.timeout.ms", "20000");
        return ServiceProcess.start(name, "categorize-stream", run, bootstrap, config);
    }

    /** A submission status with {@code n} examples, every one judged. */
    private static boolean settled(String status, int n) {
        try {
            var node = JSON.readTree(status);
            return node.path("pending").asInt(-1) == 0 && node.path("categorized").asInt() == n;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String sha256(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static void produce(String bootstrap, List<Example> examples) {
        // keyed by example id, as ingest keys them
        TopicContents.write(bootstrap, examples.stream().map(e -> new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(),
                e.id(), ContractJson.write(e))).toList());
    }

    /** The instance's answer once it has one: 503 (still starting) is asked again. */
    private static HttpResponse<String> awaitAnswer(ServiceProcess s, String id) {
        return await(s.name + " answers for " + id).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> ServiceProcess.get(s.url("/v1/verdicts/" + id)), r -> r.statusCode() != 503);
    }

    private static Set<String> taskDirs(Path stateDir) throws Exception {
        try (Stream<Path> dirs = Files.list(stateDir.resolve(APPLICATION_ID))) {
            return dirs.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+_\\d+")).collect(Collectors.toSet());
        }
    }

    /** Every one of {@code ids} categorized, read_committed; if not in time, a message that says where they are. */
    private static void awaitCategorized(String what, List<String> ids, Duration atMost, String bootstrap,
                                         List<ServiceProcess> services) {
        try {
            await(what + " categorized, read_committed").atMost(atMost).pollInterval(Duration.ofMillis(250))
                    .until(() -> categorizedIds(bootstrap).containsAll(ids));
        } catch (ConditionTimeoutException e) {
            Set<String> missing = new TreeSet<>(ids);
            missing.removeAll(categorizedIds(bootstrap));
            Set<String> written = countById(TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name())).keySet();
            throw new AssertionError(String.format("%s not categorized within %s: %d of %d missing (on partitions %s), "
                            + "%d of them written but not committed; %s", what, atMost, missing.size(), ids.size(),
                    missing.stream().map(id -> Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8)))
                                    % Topics.EXAMPLES_SUBMITTED.partitions())
                            .collect(Collectors.toCollection(TreeSet::new)),
                    missing.stream().filter(written::contains).count(),
                    services.stream().map(s -> s.summary(List.of("knowgate_categorize_batch_size_count",
                            "knowgate_categorize_verdicts_total", "knowgate_categorize_flushes_cut_total",
                            "knowgate_categorize_batch_borrowed_total", "knowgate_categorize_rejected_total")))
                            .collect(Collectors.joining("; "))), e);
        }
    }

    private static Set<String> categorizedIds(String bootstrap) {
        return countById(TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name())).keySet();
    }

    private static Map<String, Long> countById(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> ContractJson.read(r.value(), CategorizedExample.class).example().id())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
