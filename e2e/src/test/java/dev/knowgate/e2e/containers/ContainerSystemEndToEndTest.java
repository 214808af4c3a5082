package dev.knowgate.e2e.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.registry.ManifestSigner;
import dev.knowgate.testing.ContainerEngine;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.testing.docs.DocumentedCurl;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;
import org.testcontainers.kafka.KafkaContainer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system as containers, from the images docker/build-images builds, on one container
 * network this test creates (nothing leaves the machine): the project's broker image, ingest,
 * categorize-stream, trainer and monitor, with the model registry on a named volume, read-write in
 * the trainer and read-only in categorize-stream at the same path.
 *
 * <p>Each service runs as uid 10001 and answers its image's own HEALTHCHECK command; examples pushed
 * through the ingest container come out categorized (read_committed); categorize-stream is killed
 * with SIGKILL mid-stream and started again, and every example is still categorized exactly once;
 * the trainer's round publishes knowgate-base@2 into the shared registry and the monitor decides it
 * on its whole probe evaluation, answered by categorize-stream under v2 loaded from that volume.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerSystemEndToEndTest {

    /** docs/deploy.md's request with compose's public demo key, sent as that doc shows it. */
    static final DocumentedCurl DEPLOY_CURL = DocumentedCurl.the(Path.of("../docs/deploy.md"), "/v1/examples");
    static final String KEY = DEPLOY_CURL.headers().get("X-Api-Key");
    static final String SUBMISSION = "container-e2e";
    static final String REGISTRY = "/var/lib/knowgate/registry";
    static final String ALL_CATEGORIES = "HIGHLY_KNOWN,MAYBE_KNOWN,WEAKLY_KNOWN,UNKNOWN";
    static final int FIRST = 30;
    static final int SECOND = 30;

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Network network;
    String registryVolume;
    KafkaContainer kafka;
    GenericContainer<?> ingest;
    GenericContainer<?> categorize;
    GenericContainer<?> trainer;
    GenericContainer<?> monitor;
    final List<GenericContainer<?>> services = new ArrayList<>();
    List<Example> stream;

    @BeforeAll
    void startTheSystem() throws Exception {
        ContainerEngine.assumeImages(Images.ALL);
        network = Network.newNetwork();
        registryVolume = "knowgate-test-registry-" + UUID.randomUUID().toString().substring(0, 8);
        Images.docker().createVolumeCmd().withName(registryVolume).exec();

        kafka = new KafkaContainer(Images.kafka()).withNetwork(network).withNetworkAliases("kafka")
                .withListener("kafka:19092");
        kafka.start();
        String broker = "kafka:19092";

        ingest = service(Images.INGEST, "ingest", 8081, broker)
                .withEnv("KNOWGATE_INGEST_AUTH_KEYS_FILE", "/etc/knowgate/ingest-api-keys")
                .withEnv("KNOWGATE_INGEST_PUBLISHER_INSTANCE_ID", "ingest-1")
                // The keys file compose mounts, as shipped: the demo key's hash and its comments.
                .withCopyToContainer(MountableFile.forHostPath("../docker/ingest-api-keys.example"),
                        "/etc/knowgate/ingest-api-keys");
        // The registry's signing key as a deployment mounts a secret: the private half in the trainer
        // only, the public half in both (the images' default paths).
        Path keys = Files.createTempDirectory("knowgate-signing");
        ManifestSigner.generate(keys.resolve("signing.key"), keys.resolve("signing.pub"));
        Transferable publicKey = Transferable.of(Files.readAllBytes(keys.resolve("signing.pub")), 0644);
        // Every category goes to training, so that a round has examples whatever the model knows.
        categorize = service(Images.CATEGORIZE, "categorize-stream", 8082, broker)
                .withCopyToContainer(publicKey, "/var/lib/knowgate/trust/signing.pub")
                // As compose mounts it: ingest's keys file, so that the demo key reads its submissions.
                .withEnv("KNOWGATE_CATEGORIZE_AUTH_KEYS_FILE", "/etc/knowgate/ingest-api-keys")
                .withCopyToContainer(MountableFile.forHostPath("../docker/ingest-api-keys.example"),
                        "/etc/knowgate/ingest-api-keys")
                .withEnv("KNOWGATE_CATEGORIZE_ROUTING_ACCEPT", ALL_CATEGORIES)
                .withEnv("KNOWGATE_CATEGORIZE_BATCH_MAX_WAIT", "200ms")
                // Two scoring passes at once (the default on two cores), one intra-op thread each (docs/deploy.md).
                .withEnv("KNOWGATE_CATEGORIZE_MODEL_THREADS", "1")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(
                        new Bind(registryVolume, new Volume(REGISTRY), AccessMode.ro)));
        trainer = service(Images.TRAINER, "trainer", 8083, broker)
                .withEnv("KNOWGATE_TRAINER_REGISTRY_DIR", REGISTRY)
                .withEnv("KNOWGATE_TRAINER_REGISTRY_GENERATE_KEY", "false")
                .withCopyToContainer(Transferable.of(Files.readAllBytes(keys.resolve("signing.key")), 0644),
                        "/var/lib/knowgate/keys/signing.key")
                .withCopyToContainer(publicKey, "/var/lib/knowgate/trust/signing.pub")
                .withEnv("KNOWGATE_TRAINER_INSTANCE_ID", "trainer-1")
                .withEnv("KNOWGATE_TRAINER_ROUND_MIN_EXAMPLES", String.valueOf(FIRST + SECOND))
                .withEnv("KNOWGATE_TRAINER_MIX_CATEGORIES", ALL_CATEGORIES)
                .withEnv("KNOWGATE_TRAINER_FINETUNE_EPOCHS", "2")
                .withEnv("KNOWGATE_TRAINER_FINETUNE_THREADS", "2")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(
                        new Bind(registryVolume, new Volume(REGISTRY))));
        // The gate is wide open: this test is about the containers, not about what one round forgets.
        monitor = service(Images.MONITOR, "monitor", 8084, broker)
                .withEnv("KNOWGATE_MONITOR_GATE_MAX_FORGETTING", "1.0")
                .withEnv("KNOWGATE_MONITOR_GATE_MAX_ACCURACY_DROP", "1.0");
        services.addAll(List.of(ingest, categorize, trainer, monitor));
        // One after another: four JVMs starting at once on two cores only take longer together.
        for (GenericContainer<?> s : services) {
            s.start();
        }
        stream = FactWorld.generate(WorldConfig.preset("standard", 42L)).finetunePool().stream()
                .map(Fact::toExample).map(e -> ContractJson.read(ContractJson.write(e), Example.class)).toList();
    }

    private GenericContainer<?> service(String image, String name, int port, String broker) {
        return new GenericContainer<>(image).withNetwork(network).withNetworkAliases(name)
                .withEnv("KAFKA_BOOTSTRAP_SERVERS", broker)
                .withExposedPorts(port)
                .waitingFor(Wait.forHttp("/q/health/ready").forPort(port).forStatusCode(200)
                        .withStartupTimeout(Duration.ofSeconds(240)));
    }

    @AfterAll
    void stopTheSystem() {
        for (GenericContainer<?> s : services) {
            if (s.getContainerId() != null) {
                System.out.println("---- " + s.getDockerImageName() + " (last lines) ----\n" + tail(s.getLogs(), 25));
            }
            s.stop();
        }
        if (kafka != null) {
            kafka.stop();
        }
        if (registryVolume != null && ContainerEngine.available()) {
            try {
                Images.docker().removeVolumeCmd(registryVolume).exec();
            } catch (RuntimeException e) {
                System.out.println("could not remove volume " + registryVolume + ": " + e.getMessage());
            }
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Order(1)
    void everyServiceRunsAsTheServiceUserAndAnswersItsImagesHealthCheck() throws Exception {
        for (GenericContainer<?> s : services) {
            InspectContainerResponse info = s.getContainerInfo();
            assertThat(info.getConfig().getUser()).as(s.getDockerImageName()).isEqualTo("10001:10001");
            assertThat(s.execInContainer("id", "-u").getStdout().trim()).as(s.getDockerImageName())
                    .isEqualTo(Images.SERVICE_UID);
            List<String> check = healthCheck(s);
            assertThat(check).as(s.getDockerImageName() + " HEALTHCHECK").contains("curl").anyMatch(a -> a.endsWith("/q/health/ready"));
            var result = s.execInContainer(check.toArray(String[]::new));
            assertThat(result.getExitCode()).as(s.getDockerImageName() + ": " + check + "\n" + result.getStderr()).isZero();
        }
        // The broker image runs as the service user too.
        assertThat(kafka.execInContainer("id", "-u").getStdout().trim()).isEqualTo(Images.SERVICE_UID);
        assertThat(kafka.execInContainer("/etc/kafka/docker/healthcheck").getExitCode()).isZero();
    }

    @Test
    @Order(2)
    void examplesArePushedThroughIngestAndEachIsCategorizedExactlyOnceAcrossASigkill() throws Exception {
        String bootstrap = kafka.getBootstrapServers();
        List<Example> first = stream.subList(0, FIRST);
        List<Example> second = stream.subList(FIRST, FIRST + SECOND);
        for (Example e : first) {
            push(e);
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !categorizedCounts(bootstrap).isEmpty());
        for (Example e : second) {
            push(e);
        }
        // SIGKILL while the second half is in flight: no clean shutdown, an open transaction aborted.
        DockerClient docker = Images.docker();
        String id = categorize.getContainerId();
        docker.killContainerCmd(id).withSignal("KILL").exec();
        // How much work the kill interrupted (not asserted: it depends on the machine's speed).
        Map<String, Long> beforeKill = categorizedCounts(bootstrap);
        System.out.println("categorize-stream killed with " + stream.subList(0, FIRST + SECOND).stream()
                .filter(e -> beforeKill.containsKey(e.id())).count() + " of " + (FIRST + SECOND)
                + " examples categorized (read_committed)");
        await().atMost(Duration.ofSeconds(30)).until(() -> !Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning()));
        assertThat(docker.inspectContainerCmd(id).exec().getState().getExitCodeLong()).isEqualTo(137L);
        docker.startContainerCmd(id).exec();

        List<String> ids = new ArrayList<>();
        first.forEach(e -> ids.add(e.id()));
        second.forEach(e -> ids.add(e.id()));
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2))
                .until(() -> categorizedCounts(bootstrap).keySet().containsAll(ids));
        Map<String, Long> counts = categorizedCounts(bootstrap);
        assertThat(ids).allSatisfy(i -> assertThat(counts.get(i)).as("verdicts for " + i).isEqualTo(1L));
        assertThat(categorize.execInContainer(healthCheck(categorize).toArray(String[]::new)).getExitCode()).isZero();
        // The curator's submission counts every pushed example once, across the kill.
        HttpRequest status = HttpRequest.newBuilder(URI.create("http://" + categorize.getHost() + ":"
                + categorize.getMappedPort(8082) + "/v1/submissions/" + SUBMISSION)).timeout(Duration.ofSeconds(10))
                .header("X-Api-Key", KEY).GET().build();
        SubmissionStatus counted = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            HttpResponse<String> r = HTTP.send(status, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? ContractJson.read(r.body(), SubmissionStatus.class) : null;
        }, s -> s != null && s.categorized() == FIRST + SECOND);
        assertThat(counted.examples()).isEqualTo(FIRST + SECOND);
        assertThat(counted.records()).isEqualTo(FIRST + SECOND);
        assertThat(counted.pending() + counted.rejected()).isZero();
    }

    @Test
    @Order(3)
    void theTrainersRoundIsLoadedFromTheSharedRegistryAndDecidedByTheMonitor() {
        String bootstrap = kafka.getBootstrapServers();
        ModelVersion v2 = await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2))
                .until(() -> model(bootstrap, "knowgate-base@2"), Optional::isPresent).orElseThrow();
        assertThat(v2.location()).startsWith(REGISTRY + "/");
        ModelDecision decided = await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(2))
                .until(() -> decision(bootstrap, "knowgate-base@2"), Optional::isPresent).orElseThrow();
        assertThat(decided.evidence().probesAnswered()).isEqualTo(decided.evidence().probesTotal()).isPositive();
        List<ProbeResult> v2Results = TopicContents.committed(bootstrap, Topics.PROBES_RESULTS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ProbeResult.class))
                .filter(r -> r.evaluationId().equals(decided.evidence().evaluationId())).toList();
        assertThat(v2Results).isNotEmpty().allMatch(r -> r.modelVersion() == 2);
    }

    @Test
    @Order(4)
    void theDeployDocsCurlRequestWithTheComposeDemoKeyIsAccepted() throws Exception {
        assertThat(DEPLOY_CURL.printedStatus()).as("docs/deploy.md prints the answer under its curl request").isNotNull();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + ingest.getHost() + ":"
                + ingest.getMappedPort(8081) + DEPLOY_CURL.path())).timeout(Duration.ofSeconds(30))
                .method(DEPLOY_CURL.method(), HttpRequest.BodyPublishers.ofString(DEPLOY_CURL.body()));
        DEPLOY_CURL.headers().forEach(request::header);

        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(DEPLOY_CURL.printedStatus());
        // "..." in the doc's answer stands for the content id.
        assertThat(response.body()).matches(java.util.regex.Pattern.quote(DEPLOY_CURL.printedAnswer())
                .replace("...", "\\E[A-Za-z0-9-]+\\Q"));
    }

    private void push(Example e) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ingest.getHost() + ":"
                        + ingest.getMappedPort(8081) + "/v1/examples"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("X-Api-Key", KEY)
                .header(SubmissionStatus.HEADER, SUBMISSION)
                .POST(HttpRequest.BodyPublishers.ofString(ContractJson.writeString(e))).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    /**
     * The image's own HEALTHCHECK command (exec form), as the engine would run it; read from the
     * container, which inherits it (podman's Docker API leaves it out of the image's inspect).
     */
    private static List<String> healthCheck(GenericContainer<?> s) {
        var declared = Images.docker().inspectContainerCmd(s.getContainerId()).exec().getConfig().getHealthcheck();
        assertThat(declared).as(s.getDockerImageName() + " declares a HEALTHCHECK").isNotNull();
        String[] test = declared.getTest().toArray(String[]::new);
        assertThat(test[0]).isEqualTo("CMD");
        return Arrays.asList(test).subList(1, test.length);
    }

    private static Map<String, Long> categorizedCounts(String bootstrap) {
        return TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).stream()
                .map(r -> ContractJson.read(r.value(), CategorizedExample.class).example().id())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static Optional<ModelVersion> model(String bootstrap, String key) {
        return TopicContents.committed(bootstrap, Topics.MODELS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelVersion.class)).filter(m -> m.key().equals(key)).findFirst();
    }

    private static Optional<ModelDecision> decision(String bootstrap, String key) {
        return TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelDecision.class)).filter(d -> d.key().equals(key)).findFirst();
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

}
