package dev.knowgate.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One knowgate service started from its packaged quarkus-app jar as a separate JVM. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A check's name and status in /q/health, or a Kafka Streams state in a check's data. */
    private static final Pattern HEALTH_CHECK = Pattern.compile(
            "\"name\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"status\"\\s*:\\s*\"(\\w+)\"|\"state\"\\s*:\\s*\"(\\w+)\"");

    final String name;
    final int port;
    final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** {@code module} relative to the repository root, e.g. "ingest/service". */
    static ServiceProcess start(String name, String module, Path workDir, String bootstrap, Map<String, String> config)
            throws IOException {
        // C1 only: the services start in half the time, which is what a test needs.
        return start(name, module, workDir, bootstrap, config, List.of("-XX:TieredStopAtLevel=1"));
    }

    /** With these JVM options (besides heap and offline DJL) instead of the tests' quick-start JIT. */
    static ServiceProcess start(String name, String module, Path workDir, String bootstrap, Map<String, String> config,
                                List<String> jvmOptions) throws IOException {
        Path jar = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify builds them)");
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + bootstrap));
        cmd.addAll(jvmOptions);
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        Path log = workDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new ServiceProcess(name, port, log, p);
    }

    /** CPU time the service's JVM has used so far, all its threads. */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(name + ": no CPU time from the OS"));
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
        }
        try {
            return get(url("/q/health/ready")).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** After a failure: each service's log tail, so that the test's output says what went wrong. */
    static void printLogs(List<ServiceProcess> services) {
        for (ServiceProcess s : services) {
            System.out.println("---- " + s.name + " (" + s.log + ") ----\n" + s.tail());
        }
    }

    static void closeAll(List<ServiceProcess> services) throws InterruptedException {
        for (ServiceProcess s : services) {
            s.close();
        }
    }

    static HttpResponse<String> get(String url) throws IOException {
        return get(url, Map.of());
    }

    static HttpResponse<String> get(String url, Map<String, String> headers) throws IOException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET();
            headers.forEach(request::header);
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static HttpResponse<String> post(String url, String json, Map<String, String> headers) throws IOException {
        return post(url, "application/json", json, headers, Duration.ofSeconds(10));
    }

    static HttpResponse<String> post(String url, String contentType, String body, Map<String, String> headers,
                                     Duration timeout) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    String tail() {
        return tail(log);
    }

    /**
     * One line on where the service stands, for a failure message that CI's summary shows whole: alive,
     * each health check's status, these metrics (summed over their labels), the last warning.
     */
    String summary(List<String> metrics) {
        StringBuilder b = new StringBuilder(name).append(process.isAlive() ? " alive" : " exited " + process.exitValue());
        try {
            Matcher m = HEALTH_CHECK.matcher(get(url("/q/health")).body());
            while (m.find()) {
                b.append(", ").append(m.group(1) != null ? m.group(1) + "=" + m.group(2) : "state " + m.group(3));
            }
            String exposition = get(url("/q/metrics")).body();
            for (String metric : metrics) {
                b.append(", ").append(metric).append('=').append(Math.round(metric(exposition, metric)));
            }
        } catch (IOException | RuntimeException e) {
            b.append(", not answering (").append(e.getMessage()).append(')');
        }
        try {
            Files.readAllLines(log).stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).reduce((x, y) -> y)
                    .ifPresent(l -> b.append(", last warning: ").append(l, 0, Math.min(l.length(), 300)));
        } catch (IOException e) {
            b.append(", no log");
        }
        return b.toString();
    }

    /** A metric of a Prometheus exposition, summed over its labels (the largest for a {@code _max}); NaN when absent. */
    static double metric(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(exposition);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum = name.endsWith("_max") ? Math.max(sum, Double.parseDouble(m.group(1))) : sum + Double.parseDouble(m.group(1));
            found = true;
        }
        return found ? sum : Double.NaN;
    }

    /** The last 30 lines of a process's log, for a failure message. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: no shutdown hook, no commit, no leave-group; what a crashed machine looks like to the others. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * A port free now: any the system hands out, or, with the system property
     * {@code knowgate.test.ports=FROM-TO} (a machine where others run services too), the first free one
     * in that range not handed out before by this JVM.
     */
    static synchronized int freePort() throws IOException {
        String range = System.getProperty("knowgate.test.ports", "").strip();
        if (range.isEmpty()) {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
        String[] bounds = range.split("-");
        int to = Integer.parseInt(bounds[1].strip());
        for (int port = Math.max(nextPort, Integer.parseInt(bounds[0].strip())); port <= to; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                nextPort = port + 1;
                return port;
            } catch (IOException busy) {
                // taken: the next one
            }
        }
        throw new IOException("no free port left in knowgate.test.ports=" + range);
    }

    private static int nextPort;
}
