package dev.knowgate.e2e;

import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The services' metrics as Prometheus itself reads them. The four services run as separate JVMs on a
 * broker of their own with the shipped base model and a small real workload (24 examples pushed
 * through ingest and one refused, one malformed record on examples.submitted, the monitor's probe
 * evaluations on a 24-probe set, one short trainer round whose candidate the gate decides): <ul>
 * <li>{@code promtool check metrics} (Debian's prometheus package) is silent on every knowgate_
 * metric of each service's {@code /q/metrics} (findings about third-party metrics, the JVM's, HTTP's
 * and Kafka's clients', are printed, not failed on);</li>
 * <li>a real {@code prometheus} scrapes all four, and a PromQL join of categorize-stream's verdict counts
 * with the monitor's forgetting rate on {@code (model, version)} (the queries of docs/monitor.md,
 * "Prometheus") answers the base version's series.</li></ul>
 * Needs prometheus and promtool: skipped without them, failed without them where required
 * ({@code KNOWGATE_PROMETHEUS_TESTS=required}, as {@code .ci/run} sets).
 */
class PrometheusScrapeTest {

    static final String KEY = "prometheus-curator-key-0123456789";
    static final int EXAMPLES = 24;
    /** The join of docs/monitor.md: the forgetting rate of every version that has computed verdicts. */
    static final String JOIN_AND = "knowgate_monitor_forgetting_rate and on (model, version) "
            + "sum by (model, version) (knowgate_categorize_verdicts_total)";
    /** The same join with arithmetic: verdicts per version and category, with the monitor's rate beside. */
    static final String JOIN_GROUP_LEFT = "sum by (model, version, category) (knowgate_categorize_verdicts_total) "
            + "* on (model, version) group_left () (1 - knowgate_monitor_forgetting_rate)";
    /** categorize-stream's live version where it is the one the monitor says is live, joined on model. */
    static final String JOIN_LIVE = "knowgate_categorize_model_live_version == on (model) group_left () "
            + "knowgate_monitor_live_version";

    /** The section "Prometheus" of docs/monitor.md: its PromQL blocks and its alerting rules. */
    static String docSection() throws java.io.IOException {
        String doc = Files.readString(Path.of("..", "docs", "monitor.md"));
        int start = doc.indexOf("\n## Prometheus\n");
        assertThat(start).as("docs/monitor.md has a section Prometheus").isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    static List<String> blocks(String text, String language) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```" + language + "\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void promtoolIsSilentOnTheProjectsMetricsAndPrometheusJoinsVerdictsWithForgettingRates() throws Exception {
        Prometheus.assume();
        String section = docSection();
        // The joins the doc shows are the ones run here.
        assertThat(blocks(section, "promql")).extracting(q -> q.replaceAll("\\s+", " ").strip())
                .containsExactly(JOIN_AND, JOIN_GROUP_LEFT, JOIN_LIVE);
        String rules = blocks(section, "yaml").stream().filter(y -> y.contains("groups:")).findFirst().orElseThrow();
        Path work = Files.createDirectories(Path.of("target", "prometheus-run").toAbsolutePath());
        Path run = Files.createTempDirectory(work, "run");
        Path model = Path.of("..", "models", "knowgate-base-1").toAbsolutePath().normalize();
        Path keys = run.resolve("api-keys");
        Files.writeString(keys, "prometheus " + sha256(KEY) + " submit\n");
        // The monitor's probe set: 24 of the standard world's probes (the shipped model's world), so that
        // the evaluation of v1 takes seconds.
        FactWorld world = FactWorld.generate(WorldConfig.preset("standard", 42L));
        Path probes = run.resolve("probes.jsonl");
        Files.writeString(probes, world.probes().stream().limit(24).map(f -> ContractJson.writeString(f.toExample()))
                .collect(Collectors.joining("\n", "", "\n")));
        Path registry = Files.createDirectories(run.resolve("registry"));

        List<ServiceProcess> services = new ArrayList<>();
        Prometheus prometheus = null;
        try (KafkaBroker broker = KafkaBroker.start()) { // its own broker: the other e2e tests use the same topics
            String bootstrap = broker.bootstrapServers();
            ServiceProcess ingest = ServiceProcess.start("ingest", "ingest/service", run, bootstrap,
                    Map.of("knowgate.ingest.auth.keys-file", keys.toString()));
            services.add(ingest);
            ServiceProcess categorize = ServiceProcess.start("categorize-stream", "categorize-stream", run, bootstrap, Map.of(
                    "knowgate.categorize.model.initial", model.toString(),
                    "knowgate.categorize.model.registry", registry.toString(),
                    "knowgate.categorize.model.trusted-keys", run.resolve("keys/signing.pub").toString(),
                    "knowgate.categorize.batch.max-wait", "100ms",
                    "knowgate.categorize.routing.accept", "HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN,UNKNOWN",
                    "kafka-streams.state.dir", run.resolve("state/categorize").toString()));
            services.add(categorize);
            // The trainer publishes v1 (what the monitor evaluates), then one short round (Unknown
            // examples skipped, a rejected candidate parked rather than trained again): its meters exist.
            services.add(ServiceProcess.start("trainer", "trainer", run, bootstrap, Map.of(
                    "knowgate.trainer.model.initial", model.toString(),
                    "knowgate.trainer.registry.dir", registry.toString(),
                    "knowgate.trainer.registry.signing-key", run.resolve("keys/signing.key").toString(),
                    "knowgate.trainer.registry.public-key", run.resolve("keys/signing.pub").toString(),
                    "knowgate.trainer.round.min-examples", "4",
                    "knowgate.trainer.mix.categories", "HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN",
                    "knowgate.trainer.finetune.epochs", "1",
                    "knowgate.trainer.gate.on-reject", "park")));
            services.add(ServiceProcess.start("monitor", "monitor", run, bootstrap, Map.of(
                    "knowgate.monitor.probes.source", "file",
                    "knowgate.monitor.probes.file", probes.toString(),
                    // A webhook target, so that its delivery meters exist (no alert fires here).
                    "knowgate.monitor.webhooks.targets.ops.url", "http://127.0.0.1:9/hook",
                    "kafka-streams.state.dir", run.resolve("state/monitor").toString())));
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> services.stream().allMatch(ServiceProcess::ready));

            prometheus = Prometheus.start(run, ServiceProcess.freePort(),
                    services.stream().map(s -> "127.0.0.1:" + s.port).toList(), rules);
            Prometheus p = prometheus;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(p::ready);

            // A small real workload: examples through ingest (one refused), one malformed record.
            for (Fact f : world.finetunePool().subList(0, EXAMPLES)) {
                int status = ServiceProcess.post(ingest.url("/v1/examples"), ContractJson.writeString(f.toExample()),
                        Map.of("X-Api-Key", KEY)).statusCode();
                assertThat(status).isEqualTo(202);
            }
            assertThat(ServiceProcess.post(ingest.url("/v1/examples"), "{\"schemaVersion\":1}", Map.of("X-Api-Key", KEY))
                    .statusCode()).isEqualTo(422);
            sendMalformed(bootstrap);

            // Prometheus scrapes all four.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(p.query("up == 1")).extracting(s -> s.labels().get("instance"))
                            .containsExactlyInAnyOrderElementsOf(services.stream().map(s -> "127.0.0.1:" + s.port).toList()));

            // The join across two services on (model, version): the base version, evaluated and judging.
            List<Prometheus.Sample> joined = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> p.query(JOIN_AND), l -> !l.isEmpty());
            assertThat(joined).allSatisfy(s -> assertThat(s.labels())
                            .containsEntry("model", "knowgate-base").containsEntry("service", "monitor")
                            .containsEntry("__name__", "knowgate_monitor_forgetting_rate").containsKey("version"))
                    .anySatisfy(s -> {
                        assertThat(s.labels()).containsEntry("version", "1");
                        assertThat(s.value()).isZero(); // the base forgets nothing of itself
                    });
            List<Prometheus.Sample> perCategory = p.query(JOIN_GROUP_LEFT);
            assertThat(perCategory).isNotEmpty().allSatisfy(s -> assertThat(s.labels())
                    .containsEntry("model", "knowgate-base").containsKeys("version", "category"));
            assertThat(perCategory).filteredOn(s -> s.labels().get("version").equals("1"))
                    .extracting(Prometheus.Sample::value).isNotEmpty().allSatisfy(v -> assertThat(v).isPositive());
            // Every example pushed is counted once (the probes are not verdicts: they go to probes.results);
            // the stream may still be judging the last ones when the join first answers.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(p.query("sum(knowgate_categorize_verdicts_total)")).singleElement()
                            .satisfies(s -> assertThat(s.value()).isEqualTo((double) EXAMPLES)));

            // The trainer's round has finished (whatever the gate decided): its counters exist too.
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> p.query("knowgate_trainer_rounds_total"), l -> !l.isEmpty());

            // Once the candidate is decided, categorize-stream serves the version the monitor says is live.
            List<Prometheus.Sample> live = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> p.query(JOIN_LIVE), l -> !l.isEmpty());
            assertThat(live).allSatisfy(s -> {
                assertThat(s.labels()).containsEntry("model", "knowgate-base").containsEntry("service", "categorize-stream");
                assertThat(s.value()).isGreaterThanOrEqualTo(1.0);
            });

            // The doc's alerting rule is evaluated without error (it does not fire: v1 forgets nothing).
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(p.ruleHealth()).containsEntry("KnowgateServingVersionForgets", "ok"));

            // promtool on each service's own exposition, once the workload has made its meters.
            Map<String, List<String>> ours = new LinkedHashMap<>();
            Map<String, List<String>> theirs = new LinkedHashMap<>();
            for (ServiceProcess s : services) {
                String body = Prometheus.scrapeText(s.url("/q/metrics"));
                Files.writeString(run.resolve(s.name + ".metrics.txt"), body);
                Map<Boolean, String> split = Prometheus.byFamily(body, name -> name.startsWith("knowgate_"));
                assertThat(split.get(true)).as(s.name + "'s knowgate_ metrics").contains("# HELP knowgate_");
                ours.put(s.name, Prometheus.check(split.get(true)));
                // Third-party families apart (the JVM's, HTTP's, the Kafka clients'): their findings are
                // printed, not failed on.
                try {
                    theirs.put(s.name, Prometheus.check(split.get(false)));
                } catch (IllegalStateException unreadable) {
                    theirs.put(s.name, List.of(unreadable.getMessage()));
                }
            }
            System.out.println("promtool check metrics, third-party findings (not failed on): " + theirs);
            assertThat(ours).allSatisfy((service, findings) -> assertThat(findings).as(service).isEmpty());
        } catch (Throwable t) {
            ServiceProcess.printLogs(services);
            if (prometheus != null) {
                System.out.println("---- prometheus ----\n" + prometheus.tail());
            }
            throw t;
        } finally {
            if (prometheus != null) {
                prometheus.close();
            }
            ServiceProcess.closeAll(services);
        }
    }

    private static void sendMalformed(String bootstrap) {
        TopicContents.write(bootstrap, List.of(new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(), "malformed",
                "not json".getBytes(StandardCharsets.UTF_8))));
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
