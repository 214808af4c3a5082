package dev.knowgate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (Debian's {@code prometheus} package: /usr/bin/prometheus, and
 * /usr/bin/promtool for {@link #check}) run as a process with a generated configuration that scrapes
 * the given services' {@code /q/metrics}, its own storage folder and its own port.
 *
 * <p>Where the Prometheus tests are required ({@code KNOWGATE_PROMETHEUS_TESTS=required}, or the system
 * property {@code knowgate.test.prometheus=required}; {@code .ci/run} installs the package and sets
 * it) missing binaries fail the test; elsewhere the test is skipped and says why, so that
 * {@code ./mvnw verify} needs nothing but a JDK (as with {@code TorchRuntime}).
 */
final class Prometheus implements AutoCloseable {

    static final String ENV_REQUIRED = "KNOWGATE_PROMETHEUS_TESTS";
    static final String PROP_REQUIRED = "knowgate.test.prometheus";
    private static final ObjectMapper JSON = new ObjectMapper();

    final int port;
    final Path log;
    private final Process process;

    private Prometheus(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static boolean required() {
        return "required".equalsIgnoreCase(System.getProperty(PROP_REQUIRED, System.getenv(ENV_REQUIRED)));
    }

    /** Skips the calling test (or fails it, where required) unless prometheus and promtool are installed. */
    static void assume() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("prometheus", "promtool")) {
            if (binary(tool).isEmpty()) {
                missing.add(tool);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String why = String.join(" and ", missing) + " not installed (Debian's prometheus package: "
                + "apt-get install --no-install-recommends prometheus)";
        if (required()) {
            throw new AssertionError("the Prometheus tests are required here (" + ENV_REQUIRED + "=required) but " + why);
        }
        Assumptions.abort(why);
    }

    static Optional<Path> binary(String name) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code promtool check metrics} over one scrape: its findings, one per line ("name message").
     * Empty when promtool is silent.
     */
    static List<String> check(String exposition) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary("promtool").orElseThrow().toString(), "check", "metrics")
                .redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool check metrics did not finish in 60 s");
        }
        // Exit 0: silent; 3: lint findings (listed); anything else: promtool could not read the input.
        if (p.exitValue() != 0 && p.exitValue() != 3) {
            throw new IllegalStateException("promtool check metrics exited " + p.exitValue() + ": " + out);
        }
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * A scrape in the text format 0.0.4, the one promtool reads (asked for: without an Accept header
     * Quarkus answers OpenMetrics, which Prometheus' own scrapes negotiate too).
     */
    static String scrapeText(String url) throws IOException {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Accept", "text/plain; version=0.0.4; charset=utf-8").timeout(java.time.Duration.ofSeconds(10)).GET()
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (response.statusCode() != 200 || !type.startsWith("text/plain")) {
                throw new IllegalStateException(url + " answered " + response.statusCode() + " " + type);
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * An exposition split by metric family (a family: its HELP and TYPE lines and its samples), into
     * the families whose name {@code ours} accepts (true) and the others (false), each in the text format.
     */
    static Map<Boolean, String> byFamily(String exposition, java.util.function.Predicate<String> ours) {
        Map<Boolean, StringBuilder> out = Map.of(true, new StringBuilder(), false, new StringBuilder());
        String family = "";
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                family = line.split(" ", 4)[2];
            } else if (!line.startsWith("#") && !line.isBlank()) {
                String name = line.split("[{ ]", 2)[0];
                if (!name.startsWith(family)) { // a sample of a family without HELP or TYPE lines
                    family = name;
                }
            }
            out.get(ours.test(family)).append(line).append('\n');
        }
        return Map.of(true, out.get(true).toString(), false, out.get(false).toString());
    }

    /**
     * Starts prometheus scraping {@code targets} (host:port, {@code /q/metrics}) every second and
     * evaluating {@code rules} (a rules file's text, checked with {@code promtool check rules} first),
     * with its storage under {@code workDir}, listening on 127.0.0.1:{@code port}.
     */
    static Prometheus start(Path workDir, int port, List<String> targets, String rules)
            throws IOException, InterruptedException {
        Path rulesFile = workDir.resolve("rules.yml");
        Files.writeString(rulesFile, rules);
        Process check = new ProcessBuilder(binary("promtool").orElseThrow().toString(), "check", "rules", rulesFile.toString())
                .redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new AssertionError("promtool check rules " + rulesFile + ":\n" + checked);
        }
        Path config = workDir.resolve("prometheus.yml");
        String list = targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "));
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files: ['%s']
                scrape_configs:
                  - job_name: knowgate
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: [%s]
                """.formatted(rulesFile, list));
        Path storage = Files.createDirectories(workDir.resolve("prometheus-data"));
        Path log = workDir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary("prometheus").orElseThrow().toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + storage,
                "--storage.tsdb.retention.time=1h", "--web.listen-address=127.0.0.1:" + port)
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Prometheus(port, log, p);
    }

    boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n" + tail());
        }
        try {
            return ServiceProcess.get("http://127.0.0.1:" + port + "/-/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** One series of an instant query's answer: its labels and value. */
    record Sample(Map<String, String> labels, double value) {
    }

    /** An instant query through the HTTP API ({@code /api/v1/query}); fails on an error answer. */
    List<Sample> query(String promql) throws IOException {
        var response = ServiceProcess.get("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new IllegalStateException("query " + promql + " answered " + response.statusCode() + ": " + response.body());
        }
        List<Sample> out = new ArrayList<>();
        for (JsonNode r : body.path("data").path("result")) {
            Map<String, String> labels = new TreeMap<>();
            r.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Sample(labels, Double.parseDouble(r.path("value").path(1).asText())));
        }
        return out;
    }

    /** Each loaded rule's name and health ("ok", "err" or "unknown" before its first evaluation). */
    Map<String, String> ruleHealth() throws IOException {
        JsonNode body = JSON.readTree(ServiceProcess.get("http://127.0.0.1:" + port + "/api/v1/rules").body());
        Map<String, String> out = new TreeMap<>();
        for (JsonNode group : body.path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                out.put(rule.path("name").asText(), rule.path("health").asText()
                        + (rule.hasNonNull("lastError") && !rule.path("lastError").asText().isEmpty()
                        ? ": " + rule.path("lastError").asText() : ""));
            }
        }
        return out;
    }

    String tail() {
        return ServiceProcess.tail(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
