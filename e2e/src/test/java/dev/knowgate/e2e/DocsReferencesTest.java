package dev.knowgate.e2e;

import dev.knowgate.contracts.topic.TopicSpec;
import dev.knowgate.contracts.topic.Topics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What README.md and docs/ name exists: every metric, endpoint, topic and command-line flag they
 * mention is in the code, every metric and endpoint of the services is mentioned, and no doc or
 * script holds one machine's absolute path. Settings tables are checked in each service
 * (SettingsDocTest), wire formats in libs/contracts (GoldenFilesTest).
 */
class DocsReferencesTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> SERVICE_SOURCES = List.of("ingest/service/src/main/java",
            "categorize-stream/src/main/java", "trainer/src/main/java", "monitor/src/main/java",
            "libs/service-support/src/main/java");

    private static Map<Path, String> docs;

    @BeforeAll
    static void readDocs() throws IOException {
        docs = new LinkedHashMap<>();
        docs.put(Path.of("README.md"), Files.readString(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                docs.put(ROOT.relativize(f), Files.readString(f));
            }
        }
    }

    // ---- metrics

    // A dotted name handed to a Micrometer builder, or any Prometheus-style name (also as a constant).
    private static final Pattern METER = Pattern.compile(
            "(?:builder|counter|gauge|timer|summary)\\(\\s*\"(knowgate\\.[a-z_.]+)\"|\"(knowgate_[a-z_]+)\"");
    private static final Pattern DOC_METRIC = Pattern.compile("\\bknowgate_(?:ingest|categorize|model|trainer|monitor)_[a-z_]*[a-z]");

    @Test
    void everyMetricTheDocsNameIsRegisteredAndEveryMetricIsDocumented() {
        // Micrometer's Prometheus names: dots become underscores, counters end in _total, timers in _seconds.
        Map<String, Set<String>> exposed = new LinkedHashMap<>();
        for (String meter : grep(SERVICE_SOURCES, METER)) {
            String base = meter.replace('.', '_');
            exposed.put(meter, Set.of(base, base + "_total", base + "_seconds"));
        }
        assertThat(exposed).as("meters found in the services' sources").hasSizeGreaterThan(20);
        Set<String> allExposed = exposed.values().stream().flatMap(Set::stream).collect(Collectors.toSet());

        Map<String, Set<String>> named = named(DOC_METRIC);
        List<String> problems = new ArrayList<>();
        named.forEach((metric, where) -> {
            String family = metric.replaceAll("_(count|sum|max|bucket)$", "");
            if (!allExposed.contains(family)) {
                problems.add(where + " name " + metric + ", which no service registers");
            }
        });
        exposed.forEach((meter, names) -> {
            if (names.stream().noneMatch(named::containsKey)) {
                problems.add("no doc names the meter " + meter + " (exposed as one of " + new TreeSet<>(names) + ")");
            }
        });
        assertThat(problems).isEmpty();
    }

    // One convention in every service: Micrometer's dotted names (the Prometheus registry renders them
    // knowgate_<service>_..., with _total and _seconds), each meter built with a help text.
    private static final Pattern HAND_WRITTEN = Pattern.compile("\"knowgate_[a-z_]+\"");
    private static final Pattern SHORTCUT = Pattern.compile("\\.(?:counter|gauge|timer|summary)\\(\\s*\"knowgate");
    private static final Pattern BUILDER = Pattern.compile(
            "\\b(?:Counter|Gauge|Timer|MultiGauge|DistributionSummary|FunctionCounter|FunctionTimer|LongTaskTimer)"
                    + "\\.builder\\(\\s*\"(knowgate\\.[a-z_.]+)\"");

    @Test
    void everyMeterIsNamedTheMicrometerWayAndHasAHelpText() {
        List<String> problems = new ArrayList<>();
        int builders = 0;
        for (Path f : javaFiles(SERVICE_SOURCES)) {
            String text = read(f);
            Matcher hand = HAND_WRITTEN.matcher(text);
            while (hand.find()) {
                problems.add(f + ": " + hand.group() + " is a hand-written Prometheus name; name meters knowgate.<service>.<what>");
            }
            Matcher shortcut = SHORTCUT.matcher(text);
            while (shortcut.find()) {
                problems.add(f + ": a meter made with MeterRegistry" + shortcut.group() + "...\" has no help text; use its builder");
            }
            Matcher b = BUILDER.matcher(text);
            while (b.find()) {
                builders++;
                int register = text.indexOf(".register(", b.end());
                String chain = register < 0 ? text.substring(b.end()) : text.substring(b.end(), register);
                if (!chain.contains(".description(")) {
                    problems.add(f + ": " + b.group(1) + " is built without .description(...) (its Prometheus help text)");
                }
            }
        }
        assertThat(builders).as("meter builders found in the services' sources").isGreaterThan(20);
        assertThat(problems).isEmpty();
    }

    // ---- endpoints

    private static final Pattern CLASS_PATH = Pattern.compile("@Path\\(\"([^\"]*)\"\\)\\s*(?:@[A-Za-z]+(?:\\([^)]*\\))?\\s*)*public (?:final )?class");
    private static final Pattern METHOD = Pattern.compile("@(GET|POST|PUT|DELETE|PATCH)\\b((?:\\s*@[A-Za-z]+(?:\\([^)]*\\))?)*)");
    private static final Pattern SUB_PATH = Pattern.compile("@Path\\(\"([^\"]*)\"\\)");
    private static final Pattern DOC_ENDPOINT = Pattern.compile("\\b(GET|POST|PUT|DELETE|PATCH) (/v1/[A-Za-z0-9_/{}.<>-]*[A-Za-z0-9_}>])");
    private static final Pattern DOC_PATH = Pattern.compile("(?<![A-Za-z0-9_/])(/v1/[A-Za-z0-9_/{}.<>-]*[A-Za-z0-9_}>]|/v1/?(?=[\\s`)]))");

    @Test
    void everyEndpointTheDocsNameIsServedAndEveryEndpointIsDocumented() {
        Set<String> served = served();
        assertThat(served).as("endpoints found in the services' sources").hasSizeGreaterThan(10);
        List<String> problems = new ArrayList<>();
        Set<String> documented = new TreeSet<>();
        docs.forEach((doc, text) -> {
            Matcher m = DOC_ENDPOINT.matcher(text);
            while (m.find()) {
                String endpoint = m.group(1) + " " + m.group(2);
                documented.add(endpoint);
                if (served.stream().noneMatch(s -> matches(s, endpoint))) {
                    problems.add(doc + " names " + endpoint + ", which no service serves");
                }
            }
            Matcher p = DOC_PATH.matcher(text);
            while (p.find()) {
                String path = p.group(1);
                if (served.stream().noneMatch(s -> matches(s.substring(s.indexOf(' ') + 1), path))) {
                    problems.add(doc + " names the path " + path + ", which no service serves");
                }
            }
        });
        for (String endpoint : served) {
            if (documented.stream().noneMatch(d -> matches(endpoint, d))) {
                problems.add("no doc names " + endpoint + " (as 'METHOD /path')");
            }
        }
        assertThat(problems).isEmpty();
    }

    /** "POST /v1/versions/{}/{}/promote" for every JAX-RS resource method in the services. */
    private static Set<String> served() {
        Set<String> served = new TreeSet<>();
        for (Path file : javaFiles(SERVICE_SOURCES)) {
            String source = read(file);
            Matcher c = CLASS_PATH.matcher(source);
            if (!c.find()) {
                continue;
            }
            String base = c.group(1);
            Matcher m = METHOD.matcher(source);
            while (m.find()) {
                Matcher sub = SUB_PATH.matcher(m.group(2));
                String path = (base + (sub.find() ? "/" + sub.group(1) : "")).replaceAll("/+", "/").replaceAll("/$", "");
                served.add(m.group(1) + " " + path.replaceAll("\\{[^}]*}", "{}"));
            }
        }
        return served;
    }

    /** A path template ({} for a parameter) against a doc's path ({x}, <x> or a concrete segment). */
    private static boolean matches(String template, String documented) {
        String[] t = template.split(" ", 2);
        String[] d = documented.split(" ", 2);
        if (t.length == 2 && d.length == 2 && !t[0].equals(d[0])) {
            return false;
        }
        String[] ts = t[t.length - 1].split("/");
        String[] ds = d[d.length - 1].replaceAll("/$", "").split("/");
        if (ts.length != ds.length) {
            return false;
        }
        for (int i = 0; i < ts.length; i++) {
            if (!ts[i].equals("{}") && !ts[i].equals(ds[i])) {
                return false;
            }
        }
        return true;
    }

    // ---- topics

    private static final Pattern DOC_TOPIC = Pattern.compile("`((?:examples|models)\\.[a-z]+)`");

    @Test
    void everyTopicTheDocsNameExists() {
        Set<String> topics = Topics.ALL.stream().map(TopicSpec::name).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        named(DOC_TOPIC).forEach((topic, where) -> {
            if (!topics.contains(topic)) {
                problems.add(where + " name the topic " + topic + ", which Topics does not create");
            }
        });
        assertThat(problems).isEmpty();
    }

    // ---- flags

    // bin/<script>, or knowgate-push on its own (it is installed on PATH); a bare "run" is prose or another tool's.
    private static final Pattern COMMAND = Pattern.compile("(?:\\bbin/(run|experiments|pretrain|finetune|torch-finetune|knowledge-report|"
            + "bench-[a-z]+(?:-[a-z]+)*|kafka|knowgate-push)|(?<![\\w/-])(knowgate-push))((?: +[^ `|\\n]+)*)");
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
    private static final Pattern PYTHON_PROGRAM = Pattern.compile("\\$ROOT/([\\w/.-]+\\.py)");
    private static final Pattern MAIN_CLASS = Pattern.compile("dev\\.knowgate\\.[a-z.]+\\.([A-Z][A-Za-z]+)");

    @Test
    void everyFlagTheDocsGiveACommandIsOneItTakes() {
        List<String> problems = new ArrayList<>();
        Map<String, String> known = new LinkedHashMap<>();
        docs.forEach((doc, text) -> {
            Matcher m = COMMAND.matcher(text);
            while (m.find()) {
                String command = m.group(1) != null ? m.group(1) : m.group(2);
                String accepted = known.computeIfAbsent(command, DocsReferencesTest::commandSources);
                Matcher f = FLAG.matcher(m.group(3));
                while (f.find()) {
                    if (!accepted.contains(f.group(1))) {
                        problems.add(doc + ": `" + command + " " + f.group(1) + "`, an option the command does not know");
                    }
                }
            }
        });
        assertThat(known).as("commands the docs use").containsKeys("run", "knowgate-push", "experiments");
        assertThat(problems).isEmpty();
    }

    /** The script and the sources of the Java or Python programs it runs: where its options are spelled out. */
    private static String commandSources(String command) {
        String script = read(ROOT.resolve("bin").resolve(command));
        StringBuilder all = new StringBuilder(script);
        Matcher python = PYTHON_PROGRAM.matcher(script);
        while (python.find()) {
            all.append(read(ROOT.resolve(python.group(1))));
        }
        Set<String> mains = new TreeSet<>();
        Matcher m = MAIN_CLASS.matcher(script);
        while (m.find()) {
            mains.add(m.group(0));
        }
        if (command.equals("knowgate-push")) {
            mains.add("dev.knowgate.ingest.cli.PushCommand");
        }
        for (String main : mains) {
            // The whole source root of the program: picocli options may live in mixins and subcommands.
            for (String root : List.of("ingest/cli", "libs/fact-world", "libs/model-runtime", "trainer", "ingest/service", "tools")) {
                for (String kind : List.of("main", "test")) {
                    Path file = ROOT.resolve(root).resolve("src").resolve(kind).resolve("java").resolve(main.replace('.', '/') + ".java");
                    if (Files.exists(file)) {
                        javaFiles(List.of(root + "/src/" + kind + "/java")).forEach(f -> all.append(read(f)));
                    }
                }
            }
        }
        return all.toString();
    }

    // ---- paths

    @Test
    void noDocOrScriptHoldsAMachinesAbsolutePath() throws IOException {
        Pattern absolute = Pattern.compile("(?<![\\w.~-])/(?:work|home|Users|tmp/knowgate)/[\\w.-]+");
        List<Path> files = new ArrayList<>(docs.keySet());
        try (Stream<Path> bin = Files.list(ROOT.resolve("bin"))) {
            bin.filter(Files::isRegularFile).forEach(f -> files.add(ROOT.relativize(f)));
        }
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            Matcher m = absolute.matcher(read(ROOT.resolve(f)));
            while (m.find()) {
                problems.add(f + ": " + m.group());
            }
        }
        assertThat(problems).isEmpty();
    }

    // ---- helpers

    /** Each match of the pattern's first group in the docs, with the docs that name it. */
    private static Map<String, Set<String>> named(Pattern pattern) {
        Map<String, Set<String>> named = new java.util.TreeMap<>();
        docs.forEach((doc, text) -> {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                named.computeIfAbsent(m.groupCount() > 0 ? m.group(1) : m.group(), k -> new TreeSet<>()).add(doc.toString());
            }
        });
        return named;
    }

    private static Set<String> grep(List<String> roots, Pattern pattern) {
        Set<String> found = new TreeSet<>();
        for (Path f : javaFiles(roots)) {
            Matcher m = pattern.matcher(read(f));
            while (m.find()) {
                found.add(m.group(1) != null || m.groupCount() < 2 ? m.group(1) : m.group(2));
            }
        }
        return found;
    }

    private static List<Path> javaFiles(List<String> roots) {
        List<Path> files = new ArrayList<>();
        for (String root : roots) {
            try (Stream<Path> walk = Files.walk(ROOT.resolve(root))) {
                walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
