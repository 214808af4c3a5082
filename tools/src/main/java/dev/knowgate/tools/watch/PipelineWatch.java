package dev.knowgate.tools.watch;

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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code bin/run}'s live view of the pipeline, from the services' own REST APIs: examples
 * categorized by category and quarantined (monitor /v1/mix), rounds trained (trainer /v1/rounds),
 * probe accuracy and forgetting rate per version (monitor /v1/versions), alerts (monitor /v1/alerts).
 * When the stream has been categorized it waits until every accepted example was trained on (a last
 * round started for what is pending), until every version's evaluation is complete and decided,
 * prints the summary per version (status, forgetting rate, probe coverage, what it learned), writes
 * it as JSON, and compares it with the other runs' summaries on the same stream.
 */
@Command(name = "pipeline-watch", mixinStandardHelpOptions = true,
        description = "Shows the pipeline's progress and prints the run's summary.")
public final class PipelineWatch implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--trainer", defaultValue = "http://127.0.0.1:8083")
    String trainer;

    @Option(names = "--trainer-key-file", description = "file holding a trainer operator key, for POST /v1/rounds"
            + " (a file, not the key, so that it never shows in a process list)")
    Path trainerKeyFile;

    @Option(names = "--monitor", defaultValue = "http://127.0.0.1:8084")
    String monitor;

    @Option(names = "--expected", required = true, description = "examples pushed: the run is done when they are categorized")
    int expected;

    @Option(names = "--mode", defaultValue = "filtered", description = "filtered (Unknown quarantined) or unfiltered")
    String mode;

    @Option(names = "--gate", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "whether the monitor gates promotion (--no-gate: every version goes live as announced)")
    boolean gate;

    @Option(names = "--stream", defaultValue = "", description = "what was pushed, and against which model (compared runs must match)")
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
        // 2. Every accepted example trained on (or parked): rounds until nothing is pending, the last one
        //    started by hand with what is left.
        trainEverythingPending(deadline);
        // 3. Every version's evaluation complete (with the gate on, its decision made).
        while (System.nanoTime() < deadline) {
            Optional<String> open = unfinished(snapshot());
            if (open.isEmpty()) {
                break;
            }
            System.out.println(snapshot().line(expected, seconds()) + "  (waiting for " + open.get() + ")");
            Thread.sleep(interval.toMillis());
        }
        s = snapshot();
        ObjectNode summary = summary(s);
        List<String> gaps = gaps(s, expected, get(trainer + "/v1/consumption"));
        summary.put("complete", gaps.isEmpty());
        summary.set("incomplete", JSON.valueToTree(gaps));
        Files.createDirectories(summaryDir);
        Path file = summaryDir.resolve("summary-" + runName() + ".json");
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
        print(summary);
        compare(summary);
        if (!gaps.isEmpty()) {
            System.out.println();
            System.out.println("INCOMPLETE: this run did not finish its work, so its figures are partial:");
            gaps.forEach(g -> System.out.println("  - " + g));
            return INCOMPLETE;
        }
        return 0;
    }

    /** Exit code of a run that ended (stall or timeout) before its work was done. */
    static final int INCOMPLETE = 3;

    /** What the run left undone: examples not categorized, examples not trained on, evaluations not finished. */
    static List<String> gaps(Snapshot s, long expected, JsonNode consumption) {
        List<String> gaps = new ArrayList<>();
        if (s.categorized() < expected) {
            gaps.add("categorized " + s.categorized() + " of " + expected + " examples");
        }
        if (consumption == null) {
            gaps.add("the trainer did not answer");
        } else {
            if (consumption.path("pending").asInt() > 0) {
                gaps.add(consumption.path("pending").asInt() + " accepted examples not trained on"
                        + (consumption.path("paused").asBoolean() ? " (the trainer is paused: "
                        + consumption.path("pauseReason").asText() + ")" : ""));
            }
            if (!consumption.path("roundInProgress").isMissingNode() && !consumption.path("roundInProgress").isNull()) {
                gaps.add("round " + consumption.path("roundInProgress").asText() + " still in progress");
            }
        }
        unfinished(s).ifPresent(open -> gaps.add("still waiting for " + open));
        return gaps;
    }

    /**
     * Waits until the trainer has nothing pending and no round running or awaiting its decision; a
     * round the trainer does not start by itself (fewer examples than a round's minimum) is started
     * through POST /v1/rounds.
     */
    void trainEverythingPending(long deadline) throws Exception {
        boolean said = false;
        long idleSince = -1;
        while (System.nanoTime() < deadline) {
            JsonNode c = get(trainer + "/v1/consumption");
            if (c == null) {
                Thread.sleep(interval.toMillis());
                continue;
            }
            String round = c.path("roundInProgress").asText(null);
            if (round == null && c.path("paused").asBoolean()) {
                System.out.println("[watch] the trainer is paused (" + c.path("pauseReason").asText() + "); not waiting for it");
                return;
            }
            if (round != null) {
                idleSince = -1;
                String awaiting = c.path("awaitingDecision").asText(null);
                System.out.println(snapshot().line(expected, seconds()) + "  (round " + round
                        + (awaiting != null ? ": awaiting the decision on " + awaiting : " training") + ")");
            } else if (c.path("pending").asInt() == 0) {
                // The trainer reads examples.accepted again only on its loop's next turn after a decision, so
                // one idle look can fall before that read: idle on two looks an interval apart is idle.
                if (idleSince >= 0 && System.nanoTime() - idleSince >= interval.toNanos()) {
                    return;
                }
                if (idleSince < 0) {
                    idleSince = System.nanoTime();
                }
            } else {
                idleSince = -1;
                HttpResponse<String> r = post(trainer + "/v1/rounds");
                if (r.statusCode() == 401 || r.statusCode() == 403) {
                    System.out.println("[watch] the trainer refused to start a round (" + r.statusCode() + "): "
                            + r.body() + "; pass an operator key with --trainer-key-file; not waiting for it");
                    return;
                }
                if (r.statusCode() == 202 && !said) {
                    System.out.println("[watch] stream categorized; started a round with the " + c.path("pending").asInt()
                            + " examples still pending");
                    said = true;
                }
            }
            Thread.sleep(interval.toMillis());
        }
        System.out.println("[watch] timed out waiting for the trainer");
    }

    /** "filtered", "unfiltered", and "-no-gate" with the gate off: the summary file's and comparison's name. */
    String runName() {
        return mode + (gate ? "" : "-no-gate");
    }

    /** A version still being evaluated or decided, if any. */
    private static Optional<String> unfinished(Snapshot s) {
        if (s.versions().isEmpty()) {
            return Optional.of("the monitor's first evaluation");
        }
        for (JsonNode v : s.versions()) {
            if (v.path("status").asText().equals("candidate")) {
                return Optional.of("the decision on " + v.path("key").asText());
            }
            if (v.path("probes").asInt() < v.path("probesTotal").asInt()) {
                return Optional.of(v.path("key").asText() + "'s probes (" + v.path("probes").asInt() + " of "
                        + v.path("probesTotal").asInt() + ")");
            }
        }
        return Optional.empty();
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
        o.put("gate", gate);
        o.put("run", runName());
        o.put("stream", stream);
        o.put("expected", expected);
        o.put("categorized", s.categorized());
        o.set("byCategory", JSON.valueToTree(s.byCategory()));
        o.put("quarantined", s.quarantined());
        o.put("roundsPromoted", s.rounds("PROMOTED"));
        o.put("roundsRejected", s.rounds("REJECTED") + s.rounds("PARKED"));
        o.put("examplesParked", s.parked());
        ArrayNode versions = o.putArray("versions");
        for (JsonNode v : s.versions()) {
            ObjectNode x = versions.addObject();
            x.put("version", v.path("version").asLong());
            x.put("key", v.path("key").asText());
            x.put("status", status(v));
            x.put("forgettingRate", v.path("forgettingRate").asDouble());
            x.put("forgotten", v.path("forgotten").asInt());
            x.put("knownAtBase", v.path("knownAtBaseline").asInt());
            x.put("probesAnswered", v.path("probes").asInt());
            x.put("probesTotal", v.path("probesTotal").asInt());
            x.put("accuracy", v.path("accuracy").asDouble());
            Learned round = Learned.of(v.path("round").path("learned"), NON_HIGHLY_KNOWN);
            Learned lineage = Learned.of(v.path("round").path("lineageLearned"), MAYBE_AND_WEAKLY_KNOWN);
            if (round.trained() > 0) {
                x.put("learnedShare", round.share());
                x.put("learned", round.answered());
                x.put("learnedOf", round.trained());
            } else {
                x.putNull("learnedShare");
            }
            if (lineage.trained() > 0) {
                x.put("lineageLearnedShare", lineage.share());
                x.put("lineageLearned", lineage.answered());
                x.put("lineageLearnedOf", lineage.trained());
            }
            if (!v.path("decision").isMissingNode() && !v.path("decision").isNull()) {
                x.put("decidedBy", v.path("decision").path("decidedBy").asText());
                x.put("decision", v.path("decision").path("reason").asText());
            }
        }
        o.put("activeAlerts", s.alerts().path("active").size());
        o.put("resolvedAlerts", s.alerts().path("resolved").size());
        ArrayNode alerts = o.putArray("alerts");
        s.alerts().path("active").forEach(a -> alerts.add(a.path("message").asText()));
        o.put("wallSeconds", Math.round(seconds()));
        o.put("dashboard", monitor + "/");
        return o;
    }

    static final Set<String> NON_HIGHLY_KNOWN = Set.of("MaybeKnown", "WeaklyKnown", "Unknown");
    static final Set<String> MAYBE_AND_WEAKLY_KNOWN = Set.of("MaybeKnown", "WeaklyKnown");

    /** Facts a version answers of those it was trained on, over some categories. */
    record Learned(int answered, int trained) {
        static Learned of(JsonNode byCategory, Set<String> categories) {
            int answered = 0;
            int trained = 0;
            for (String c : categories) {
                answered += byCategory.path(c).path("answered").asInt();
                trained += byCategory.path(c).path("trained").asInt();
            }
            return new Learned(answered, trained);
        }

        double share() {
            return trained == 0 ? 0 : (double) answered / trained;
        }
    }

    /** base, live, promoted, rejected or candidate: the summary's status of a version. */
    static String status(JsonNode v) {
        String status = v.path("status").asText();
        if (status.equals("base")) {
            return "base";
        }
        return v.path("live").asBoolean() ? "live" : status;
    }

    private static void print(ObjectNode s) {
        System.out.println();
        System.out.println("=== summary (" + s.path("mode").asText() + " routing, gate " + (s.path("gate").asBoolean()
                ? "on" : "off") + ") ===");
        System.out.printf(Locale.ROOT, "examples categorized: %d of %d  %s  quarantined %d%n", s.path("categorized").asLong(),
                s.path("expected").asLong(), s.path("byCategory"), s.path("quarantined").asLong());
        System.out.printf(Locale.ROOT, "rounds: %d promoted, %d rejected; examples parked: %d%n",
                s.path("roundsPromoted").asInt(), s.path("roundsRejected").asInt(), s.path("examplesParked").asInt());
        System.out.println("forgetting: of the probes the base answers, the share a version answers wrongly; learned: of "
                + "the facts trained on, the share it answers (plain question)");
        System.out.println("| version | status | forgetting | probes answered | learned (round, not HighlyKnown) "
                + "| learned (lineage, MaybeKnown+WeaklyKnown) | decision |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (JsonNode v : s.path("versions")) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f (%d of %d) | %d of %d | %s | %s | %s |%n",
                    v.path("key").asText(), v.path("status").asText(), v.path("forgettingRate").asDouble(),
                    v.path("forgotten").asInt(), v.path("knownAtBase").asInt(), v.path("probesAnswered").asInt(),
                    v.path("probesTotal").asInt(), share(v, "learned"), share(v, "lineageLearned"),
                    v.path("decision").asText("-"));
        }
        System.out.printf(Locale.ROOT, "alerts: %d active, %d resolved%n", s.path("activeAlerts").asInt(),
                s.path("resolvedAlerts").asInt());
        s.path("alerts").forEach(a -> System.out.println("  ! " + a.asText()));
        System.out.printf(Locale.ROOT, "wall time: %d s%n", s.path("wallSeconds").asLong());
        System.out.println("dashboard: " + s.path("dashboard").asText());
    }

    private static String share(JsonNode v, String field) {
        return v.has(field + "Of") ? String.format(Locale.ROOT, "%.3f (%d of %d)", v.path(field + "Of").asInt() == 0 ? 0
                        : v.path(field).asDouble() / v.path(field + "Of").asDouble(), v.path(field).asInt(),
                v.path(field + "Of").asInt()) : "-";
    }

    /** The other runs of the same stream, side by side, and the targets checked on them. */
    private void compare(ObjectNode mine) throws IOException {
        Map<String, JsonNode> runs = new java.util.LinkedHashMap<>();
        for (String name : List.of("filtered", "unfiltered", "filtered-no-gate", "unfiltered-no-gate")) {
            Path file = summaryDir.resolve("summary-" + name + ".json");
            JsonNode s = name.equals(runName()) ? mine : Files.exists(file) ? JSON.readTree(file.toFile()) : null;
            if (s != null && s.path("stream").asText().equals(stream)) {
                runs.put(name, s);
            }
        }
        if (runs.size() < 2) {
            System.out.println("(run the same stream with --no-filter, or --no-gate, to compare; bin/run --compare does "
                    + "filtered then unfiltered)");
            return;
        }
        System.out.println();
        System.out.println("=== the same stream, run by run ===");
        System.out.println("| run | wall time | rounds promoted / rejected | live version | its forgetting "
                + "| most any live version forgot | versions live / rejected "
                + "| learned (live version's lineage, MaybeKnown+WeaklyKnown) | every evaluation complete |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        runs.forEach((name, s) -> {
            JsonNode live = liveVersion(s);
            System.out.printf(Locale.ROOT, "| %s | %d s | %d / %d | %s | %.3f | %.3f | %d / %d | %s | %s |%n", name,
                    s.path("wallSeconds").asLong(), s.path("roundsPromoted").asInt(), s.path("roundsRejected").asInt(),
                    live == null ? "-" : live.path("key").asText(), live == null ? 0 : live.path("forgettingRate").asDouble(),
                    maxServedForgetting(s), count(s, "live", "promoted", "base"), count(s, "rejected"),
                    live == null ? "-" : share(live, "lineageLearned"), allComplete(s) ? "yes" : "no");
        });
    }

    static JsonNode liveVersion(JsonNode summary) {
        JsonNode live = null;
        for (JsonNode v : summary.path("versions")) {
            if (v.path("status").asText().equals("live") || live == null && v.path("status").asText().equals("base")) {
                live = v;
            }
        }
        return live;
    }

    static double maxServedForgetting(JsonNode summary) {
        double max = 0;
        for (JsonNode v : summary.path("versions")) {
            String st = v.path("status").asText();
            if (st.equals("live") || st.equals("promoted") || st.equals("base")) {
                max = Math.max(max, v.path("forgettingRate").asDouble());
            }
        }
        return max;
    }

    private static int count(JsonNode summary, String... statuses) {
        int n = 0;
        for (JsonNode v : summary.path("versions")) {
            n += List.of(statuses).contains(v.path("status").asText()) ? 1 : 0;
        }
        return n;
    }

    private static boolean allComplete(JsonNode summary) {
        for (JsonNode v : summary.path("versions")) {
            if (v.path("probesAnswered").asInt() != v.path("probesTotal").asInt()) {
                return false;
            }
        }
        return true;
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
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (trainerKeyFile != null) {
            request.header("Authorization", "Bearer " + Files.readString(trainerKeyFile).strip());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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

        int rounds(String status) {
            int n = 0;
            for (JsonNode r : rounds) {
                n += r.path("status").asText().equals(status) ? 1 : 0;
            }
            return n;
        }

        int parked() {
            int n = 0;
            for (JsonNode r : rounds) {
                if (r.path("status").asText().equals("PARKED")) {
                    n += r.path("train").asInt() + r.path("dev").asInt() - r.path("replayed").asInt();
                }
            }
            return n;
        }

        String line(int expected, double seconds) {
            Map<String, Long> c = byCategory();
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "[%4.0fs] categorized %d/%d (HK %d, MK %d, WK %d, UK %d), quarantined %d | rounds %d promoted, %d rejected",
                    seconds, categorized(), expected, c.get("HighlyKnown"), c.get("MaybeKnown"), c.get("WeaklyKnown"),
                    c.get("Unknown"), quarantined(), rounds("PROMOTED"), rounds("REJECTED") + rounds("PARKED")));
            if (!versions.isEmpty()) {
                JsonNode v = versions.get(versions.size() - 1);
                b.append(String.format(Locale.ROOT, " | %s %s: forgetting %.3f, %d of %d probes", v.path("key").asText(),
                        status(v), v.path("forgettingRate").asDouble(), v.path("probes").asInt(),
                        v.path("probesTotal").asInt()));
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
