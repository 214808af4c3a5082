package dev.knowgate.ingest.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.knowgate.ingest.cli.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bin/run}'s live view of the pipeline, from the services' own REST APIs: examples
 * categorized by category and quarantined (monitor /v1/mix), rounds trained (trainer /v1/rounds),
 * probe accuracy and forgetting rate per version (monitor /v1/versions), alerts (monitor /v1/alerts).
 * When the stream has been categorized it starts a last round with what is pending, waits until
 * the newest version has been probed, prints the summary, writes it as JSON, and compares it with
 * the other routing mode's summary on the same stream when there is one.
 */
@Command(name = "pipeline-watch", mixinStandardHelpOptions = true,
        description = "Shows the pipeline's progress and prints the run's summary.")
public final class PipelineWatch implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--trainer", defaultValue = "http://127.0.0.1:8083")
    String trainer;

    @Option(names = "--monitor", defaultValue = "http://127.0.0.1:8084")
    String monitor;

    @Option(names = "--expected", required = true, description = "examples pushed: the run is done when they are categorized")
    int expected;

    @Option(names = "--mode", defaultValue = "filtered", description = "filtered (Unknown quarantined) or unfiltered")
    String mode;

    @Option(names = "--stream", defaultValue = "", description = "what was pushed (compared runs must match)")
    String stream;

    @Option(names = "--summary-dir", defaultValue = "var/run")
    Path summaryDir;

    @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class)
    Duration interval;

    @Option(names = "--stall", defaultValue = "90s", converter = DurationConverter.class,
            description = "no new verdict for this long counts the stream as done (rejected examples never arrive)")
    Duration stall;

    @Option(names = "--timeout", defaultValue = "20m", converter = DurationConverter.class)
    Duration timeout;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long t0 = System.nanoTime();

    @Override
    public Integer call() throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastCount = -1;
        long lastChange = System.nanoTime();
        Snapshot s;
        // 1. The stream is categorized.
        while (true) {
            s = snapshot();
            System.out.println(s.line(expected, seconds()));
            if (s.categorized() != lastCount) {
                lastCount = s.categorized();
                lastChange = System.nanoTime();
            }
            if (s.categorized() >= expected || System.nanoTime() - lastChange > stall.toNanos() && s.categorized() > 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                System.out.println("[watch] timed out waiting for the stream to be categorized");
                break;
            }
            Thread.sleep(interval.toMillis());
        }
        // 2. A last round with what is pending, then its version probed.
        waitForRoundToEnd(deadline);
        HttpResponse<String> r = post(trainer + "/v1/rounds");
        if (r.statusCode() == 202) {
            System.out.println("[watch] stream categorized; started a last round with the examples still pending");
            Thread.sleep(2_000);
            waitForRoundToEnd(deadline);
        }
        String newest = newestPublished();
        while (newest != null && !judged(snapshot(), newest) && System.nanoTime() < deadline) {
            System.out.println(snapshot().line(expected, seconds()) + "  (waiting for " + newest + "'s probes)");
            Thread.sleep(interval.toMillis());
        }
        s = snapshot();
        ObjectNode summary = summary(s);
        Files.createDirectories(summaryDir);
        Path file = summaryDir.resolve("summary-" + mode + ".json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        print(summary);
        compare(summary);
        return 0;
    }

    private void waitForRoundToEnd(long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            JsonNode c = get(trainer + "/v1/consumption");
            if (c == null || c.path("roundInProgress").isNull() || c.path("roundInProgress").isMissingNode()) {
                return;
            }
            System.out.println(snapshot().line(expected, seconds()) + "  (round " + c.path("roundInProgress").asText() + " training)");
            Thread.sleep(interval.toMillis());
        }
    }

    private String newestPublished() throws Exception {
        JsonNode c = get(trainer + "/v1/consumption");
        return c == null ? null : c.path("liveVersion").asText(null);
    }

    private boolean judged(Snapshot s, String key) {
        for (JsonNode v : s.versions()) {
            if (v.path("key").asText().equals(key) && v.path("probes").asInt() >= 285) {
                return true;
            }
        }
        return false;
    }

    private Snapshot snapshot() {
        JsonNode mix = get(monitor + "/v1/mix");
        JsonNode versions = get(monitor + "/v1/versions");
        JsonNode alerts = get(monitor + "/v1/alerts");
        JsonNode rounds = get(trainer + "/v1/rounds");
        return new Snapshot(mix == null ? JSON.createArrayNode() : mix, versions == null ? JSON.createArrayNode() : versions,
                alerts == null ? JSON.createObjectNode() : alerts, rounds == null ? JSON.createArrayNode() : rounds, mode);
    }

    private ObjectNode summary(Snapshot s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("mode", mode);
        o.put("stream", stream);
        o.put("expected", expected);
        o.put("categorized", s.categorized());
        o.set("byCategory", JSON.valueToTree(s.byCategory()));
        o.put("quarantined", s.quarantined());
        o.put("roundsPublished", s.published());
        ArrayNode versions = o.putArray("versions");
        for (JsonNode v : s.versions()) {
            ObjectNode x = versions.addObject();
            x.put("key", v.path("key").asText());
            x.put("probes", v.path("probes").asInt());
            x.put("accuracy", v.path("accuracy").asDouble());
            x.put("forgettingRate", v.path("forgettingRate").asDouble());
        }
        o.put("activeAlerts", s.alerts().path("active").size());
        o.put("resolvedAlerts", s.alerts().path("resolved").size());
        ArrayNode alerts = o.putArray("alerts");
        s.alerts().path("active").forEach(a -> alerts.add(a.path("message").asText()));
        o.put("wallSeconds", Math.round(seconds()));
        o.put("dashboard", monitor + "/");
        return o;
    }

    private static void print(ObjectNode s) {
        System.out.println();
        System.out.println("=== summary (" + s.path("mode").asText() + " routing) ===");
        System.out.printf(Locale.ROOT, "examples categorized: %d of %d  %s  quarantined %d%n", s.path("categorized").asLong(),
                s.path("expected").asLong(), s.path("byCategory"), s.path("quarantined").asLong());
        System.out.printf(Locale.ROOT, "rounds published: %d%n", s.path("roundsPublished").asInt());
        System.out.println("| version | probes | accuracy | forgetting rate |");
        System.out.println("|---|---|---|---|");
        for (JsonNode v : s.path("versions")) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f |%n", v.path("key").asText(), v.path("probes").asInt(),
                    v.path("accuracy").asDouble(), v.path("forgettingRate").asDouble());
        }
        System.out.printf(Locale.ROOT, "alerts: %d active, %d resolved%n", s.path("activeAlerts").asInt(),
                s.path("resolvedAlerts").asInt());
        s.path("alerts").forEach(a -> System.out.println("  ! " + a.asText()));
        System.out.printf(Locale.ROOT, "wall time: %d s%n", s.path("wallSeconds").asLong());
        System.out.println("dashboard: " + s.path("dashboard").asText());
    }

    private void compare(ObjectNode mine) throws IOException {
        String other = mode.equals("filtered") ? "unfiltered" : "filtered";
        Path file = summaryDir.resolve("summary-" + other + ".json");
        if (!Files.exists(file)) {
            System.out.println("(run again with " + (other.equals("unfiltered") ? "--no-filter" : "the filter on")
                    + " on the same stream to compare the forgetting rates; bin/run --compare does both)");
            return;
        }
        JsonNode theirs = JSON.readTree(file.toFile());
        if (!theirs.path("stream").asText().equals(stream)) {
            System.out.println("(the " + other + " summary in " + file + " is for another stream; not compared)");
            return;
        }
        System.out.println();
        System.out.println("=== the same stream, with and without the Unknown filter ===");
        System.out.println("| routing | examples trained on | rounds | final version | probe accuracy | forgetting rate |");
        System.out.println("|---|---|---|---|---|---|");
        for (JsonNode s : mode.equals("filtered") ? new JsonNode[]{mine, theirs} : new JsonNode[]{theirs, mine}) {
            JsonNode last = s.path("versions").get(s.path("versions").size() - 1);
            long trained = s.path("categorized").asLong() - s.path("quarantined").asLong();
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | %.3f | %.3f |%n", s.path("mode").asText(), trained,
                    s.path("roundsPublished").asInt(), last == null ? "-" : last.path("key").asText(),
                    last == null ? 0 : last.path("accuracy").asDouble(), last == null ? 0 : last.path("forgettingRate").asDouble());
        }
    }

    private JsonNode get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private HttpResponse<String> post(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** What the services report at one moment. */
    record Snapshot(JsonNode mix, JsonNode versions, JsonNode alerts, JsonNode rounds, String mode) {

        Map<String, Long> byCategory() {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (String c : new String[]{"HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown"}) {
                counts.put(c, 0L);
            }
            for (JsonNode w : mix) {
                Iterator<Map.Entry<String, JsonNode>> it = w.path("counts").fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    counts.merge(e.getKey(), e.getValue().asLong(), Long::sum);
                }
            }
            return counts;
        }

        long categorized() {
            return byCategory().values().stream().mapToLong(Long::longValue).sum();
        }

        long quarantined() {
            return mode.equals("filtered") ? byCategory().get("Unknown") : 0;
        }

        int published() {
            int n = 0;
            for (JsonNode r : rounds) {
                n += r.path("status").asText().equals("PUBLISHED") ? 1 : 0;
            }
            return n;
        }

        String line(int expected, double seconds) {
            Map<String, Long> c = byCategory();
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "[%4.0fs] categorized %d/%d (HK %d, MK %d, WK %d, UK %d), quarantined %d | rounds %d", seconds,
                    categorized(), expected, c.get("HighlyKnown"), c.get("MaybeKnown"), c.get("WeaklyKnown"),
                    c.get("Unknown"), quarantined(), published()));
            if (!versions.isEmpty()) {
                JsonNode v = versions.get(versions.size() - 1);
                b.append(String.format(Locale.ROOT, " | %s: accuracy %.3f, forgetting %.3f (%d probes)", v.path("key").asText(),
                        v.path("accuracy").asDouble(), v.path("forgettingRate").asDouble(), v.path("probes").asInt()));
            }
            b.append(" | alerts ").append(alerts.path("active").size());
            return b.toString();
        }
    }

    /** "5s", "2m", "1h" or ISO-8601, as everywhere in the CLI. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineWatch()).execute(args));
    }
}
