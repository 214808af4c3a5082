package dev.knowgate.monitor.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the dashboard the way the monitor's Quarkus app does, without the app: the page from
 * {@code src/main/resources/META-INF/resources} (or the classpath's {@code META-INF/resources}),
 * WebJar files from the test classpath at the version-less paths that quarkus-web-dependency-locator
 * gives them ({@code /webjars/chart.js/dist/chart.umd.min.js}), and canned JSON for the three
 * endpoints from {@code src/test/resources/dashboard/}. Loopback only, on a free port.
 *
 * <p>Once the monitor's endpoints are done, the same checks run against the real app:
 * {@link DashboardAssertions#assertDashboard} takes any base URL.
 */
public final class DashboardFixtureServer implements AutoCloseable {

    /** Where the page lives in the source tree (the working directory of a module's tests). */
    static final Path PAGE_SOURCES = Path.of("src", "main", "resources", "META-INF", "resources");

    /** The endpoint paths and the fixture files they answer with. */
    static final Map<String, String> ENDPOINTS = Map.of(
            "/v1/versions", "dashboard/versions.json",
            "/v1/alerts", "dashboard/alerts.json",
            "/v1/mix", "dashboard/mix.json",
            "/v1/settings", "dashboard/settings.json");

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "map", "application/json",
            "png", "image/png",
            "svg", "image/svg+xml");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, byte[]> overrides = new ConcurrentHashMap<>();

    private DashboardFixtureServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on 127.0.0.1 and a free port. */
    public static DashboardFixtureServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "dashboard-fixture-http");
            t.setDaemon(true);
            return t;
        });
        DashboardFixtureServer fixture = new DashboardFixtureServer(server, executor);
        server.createContext("/", fixture::handle);
        server.setExecutor(executor);
        server.start();
        return fixture;
    }

    /** The page's URL, with its trailing slash: {@code http://127.0.0.1:PORT/}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** From now on, {@code path} (e.g. "/v1/alerts") answers with {@code status} and no JSON. */
    public DashboardFixtureServer failing(String path, int status) {
        failures.put(path, status);
        return this;
    }

    /** From now on, {@code path} answers 200 with {@code json} instead of its fixture file. */
    public DashboardFixtureServer answering(String path, String json) {
        overrides.put(path, json.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                send(exchange, 405, "text/plain", "method not allowed".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Integer failure = failures.get(path);
            if (failure != null) {
                send(exchange, failure, "text/plain", ("failing on purpose: " + failure).getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] override = overrides.get(path);
            if (override != null) {
                send(exchange, 200, "application/json", override);
                return;
            }
            String endpoint = ENDPOINTS.get(path);
            Optional<byte[]> body = endpoint != null ? classpath(endpoint) : staticFile(path);
            if (body.isEmpty()) {
                send(exchange, 404, "text/plain", ("not found: " + path).getBytes(StandardCharsets.UTF_8));
                return;
            }
            String name = endpoint != null ? endpoint : path.endsWith("/") ? "index.html" : path;
            send(exchange, 200, contentType(name), body.get());
        }
    }

    private static Optional<byte[]> staticFile(String path) throws IOException {
        String relative = path.endsWith("/") ? path + "index.html" : path;
        relative = relative.substring(1);
        if (relative.isEmpty() || relative.contains("..") || relative.contains("\\")) {
            return Optional.empty();
        }
        Path source = PAGE_SOURCES.resolve(relative);
        if (Files.isDirectory(PAGE_SOURCES) && Files.isRegularFile(source)) {
            return Optional.of(Files.readAllBytes(source));
        }
        Optional<byte[]> resource = classpath("META-INF/resources/" + relative);
        if (resource.isPresent() || !relative.startsWith("webjars/")) {
            return resource;
        }
        return webjarWithoutVersion(relative);
    }

    /**
     * What quarkus-web-dependency-locator does: {@code webjars/NAME/FILE} is served from the
     * WebJar's {@code META-INF/resources/webjars/NAME/VERSION/FILE}, the version read from the
     * WebJar's own pom.properties.
     */
    private static Optional<byte[]> webjarWithoutVersion(String relative) throws IOException {
        String[] parts = relative.split("/", 3);
        if (parts.length < 3) {
            return Optional.empty();
        }
        String name = parts[1];
        for (String group : new String[] {"org.webjars.npm", "org.webjars", "org.webjars.bower"}) {
            Optional<byte[]> pom = classpath("META-INF/maven/" + group + "/" + name + "/pom.properties");
            if (pom.isEmpty()) {
                continue;
            }
            Properties properties = new Properties();
            properties.load(new ByteArrayInputStream(pom.get()));
            String version = properties.getProperty("version");
            if (version != null) {
                return classpath("META-INF/resources/webjars/" + name + "/" + version + "/" + parts[2]);
            }
        }
        return Optional.empty();
    }

    static Optional<byte[]> classpath(String resource) throws IOException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = DashboardFixtureServer.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        }
    }

    /** A fixture file's text, from the test classpath. */
    static String fixture(String resource) {
        try {
            return new String(classpath(resource).orElseThrow(() -> new IllegalStateException("no " + resource)),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        return CONTENT_TYPES.getOrDefault(dot < 0 ? "" : name.substring(dot + 1), "application/octet-stream");
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
