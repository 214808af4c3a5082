import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main job's two tables in docs/benchmarks.md ({@code main-job}, {@code main-job-versions}) from
 * the output of repeated runs of bin/bench-main-job: each log holds one repetition's five summaries,
 * as bin/run prints them, in the order the repetition runs them. Every figure is printed as its range
 * over the repetitions. Not bin/bench-repeat's line-by-line merge: the repetitions do not print the
 * same tables (a long unfiltered run announces, rejects and retries a different number of versions
 * each time).
 *
 * <pre>java bin/tools/MainJobTables.java LOG...</pre>
 */
public final class MainJobTables {

    /** The five runs of a repetition, in the order bin/bench-main-job runs them. */
    static final List<String> RUNS = List.of("filtered, gate on", "unfiltered, gate on", "filtered, gate off",
            "unfiltered, gate off", "unfiltered, gate on, 2400 examples");

    private static final Pattern HEADING = Pattern.compile("^=== summary \\((\\w+) routing, gate (on|off)\\) ===$", Pattern.MULTILINE);
    private static final Pattern ROUNDS = Pattern.compile("^rounds: (\\d+) promoted, (\\d+) rejected; examples parked: (\\d+)$", Pattern.MULTILINE);
    private static final Pattern WALL = Pattern.compile("^wall time: (\\d+) s$", Pattern.MULTILINE);
    private static final Pattern VERSION = Pattern.compile(
            "^\\| [^|@]+@(\\d+) \\| (\\w+) \\| ([\\d.]+) \\((\\d+) of (\\d+)\\) \\| (\\d+) of (\\d+) \\| [^|]* \\| ([^|]*) \\|.*$",
            Pattern.MULTILINE);
    private static final Pattern SHARE = Pattern.compile("([\\d.]+) \\((\\d+) of (\\d+)\\)");

    record Version(int number, String status, double forgetting, int forgot, int known, boolean complete, String lineage) {
        boolean served() {
            return status.equals("live") || status.equals("promoted") || status.equals("base");
        }
    }

    record Summary(int promoted, int rejected, int parked, long wallSeconds, List<Version> versions) {
        Version live() {
            return versions.stream().filter(v -> v.status().equals("live")).findFirst()
                    .orElseGet(() -> versions.get(0)); // nothing promoted: the base serves
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: MainJobTables LOG...  (one log per repetition of bin/bench-main-job)");
            System.exit(2);
        }
        List<List<Summary>> repetitions = new ArrayList<>();
        for (String log : args) {
            List<Summary> summaries = summaries(Files.readString(Path.of(log), StandardCharsets.UTF_8));
            if (summaries.size() != RUNS.size()) {
                System.err.printf(Locale.ROOT, "%s: %d summaries, not the repetition's %d (a run failed or stopped early)%n",
                        log, summaries.size(), RUNS.size());
                System.exit(1);
            }
            repetitions.add(summaries);
        }
        System.out.print(tables(repetitions));
    }

    /** The summaries bin/run printed, in order. */
    static List<Summary> summaries(String output) {
        List<Summary> out = new ArrayList<>();
        Matcher heading = HEADING.matcher(output);
        List<Integer> starts = new ArrayList<>();
        while (heading.find()) {
            starts.add(heading.start());
        }
        for (int i = 0; i < starts.size(); i++) {
            String body = output.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : output.length());
            Matcher rounds = find(ROUNDS, body);
            Matcher wall = find(WALL, body);
            List<Version> versions = new ArrayList<>();
            Matcher v = VERSION.matcher(body.substring(0, wall.start()));
            while (v.find()) {
                versions.add(new Version(Integer.parseInt(v.group(1)), v.group(2), Double.parseDouble(v.group(3)),
                        Integer.parseInt(v.group(4)), Integer.parseInt(v.group(5)), v.group(6).equals(v.group(7)),
                        v.group(8).trim()));
            }
            out.add(new Summary(Integer.parseInt(rounds.group(1)), Integer.parseInt(rounds.group(2)),
                    Integer.parseInt(rounds.group(3)), Long.parseLong(wall.group(1)), versions));
        }
        return out;
    }

    static String tables(List<List<Summary>> repetitions) {
        StringBuilder out = new StringBuilder();
        out.append("| run | wall time | rounds promoted / rejected | examples parked | versions live (incl. base) / rejected "
                + "| the live version forgets | most any live version forgot "
                + "| learned (live version's lineage, MaybeKnown+WeaklyKnown) | every evaluation complete |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (int r = 0; r < RUNS.size(); r++) {
            int run = r;
            List<Summary> s = repetitions.stream().map(rep -> rep.get(run)).toList();
            List<Version> live = s.stream().map(Summary::live).toList();
            List<Matcher> learned = live.stream().map(v -> {
                Matcher m = SHARE.matcher(v.lineage());
                return m.find() ? m : null;
            }).toList();
            out.append(String.format(Locale.ROOT, "| %s | %s s | %s / %s | %s | %s / %s | %s (%s of %s) | %s | %s | %s |%n",
                    RUNS.get(r), range(s, x -> (double) x.wallSeconds(), "%.0f"),
                    range(s, x -> (double) x.promoted(), "%.0f"), range(s, x -> (double) x.rejected(), "%.0f"),
                    range(s, x -> (double) x.parked(), "%.0f"),
                    range(s, x -> (double) x.versions().stream().filter(Version::served).count(), "%.0f"),
                    range(s, x -> (double) x.versions().stream().filter(v -> v.status().equals("rejected")).count(), "%.0f"),
                    range(live, Version::forgetting, "%.3f"), range(live, v -> (double) v.forgot(), "%.0f"),
                    range(live, v -> (double) v.known(), "%.0f"),
                    range(s, x -> x.versions().stream().filter(Version::served).mapToDouble(Version::forgetting).max().orElse(0),
                            "%.3f"),
                    learned.contains(null) ? "-" : range(learned, m -> Double.parseDouble(m.group(1)), "%.3f") + " ("
                            + range(learned, m -> Double.parseDouble(m.group(2)), "%.0f") + " of "
                            + range(learned, m -> Double.parseDouble(m.group(3)), "%.0f") + ")",
                    s.stream().allMatch(x -> x.versions().stream().allMatch(Version::complete)) ? "yes" : "no"));
        }
        out.append("\n");
        out.append("| version | ").append(String.join(" | ", RUNS)).append(" |\n");
        out.append("|---|").append("---|".repeat(RUNS.size())).append("\n");
        int last = repetitions.stream().flatMap(List::stream).flatMap(s -> s.versions().stream())
                .mapToInt(Version::number).max().orElse(1);
        for (int n = 2; n <= last; n++) {
            int number = n;
            out.append("| v").append(n).append(" |");
            for (int r = 0; r < RUNS.size(); r++) {
                int run = r;
                List<Version> vs = repetitions.stream().flatMap(rep -> rep.get(run).versions().stream())
                        .filter(v -> v.number() == number).toList();
                if (vs.isEmpty()) {
                    out.append(" |");
                    continue;
                }
                Map<String, Integer> statuses = new LinkedHashMap<>();
                vs.forEach(v -> statuses.merge(v.status(), 1, Integer::sum));
                StringBuilder cell = new StringBuilder(range(vs, Version::forgetting, "%.3f")).append(" (");
                statuses.forEach((st, c) -> cell.append(cell.charAt(cell.length() - 1) == '(' ? "" : ", ").append(st)
                        .append(repetitions.size() > 1 ? " " + c : ""));
                cell.append(")");
                if (vs.size() < repetitions.size()) {
                    cell.append(String.format(Locale.ROOT, ", in %d of %d runs", vs.size(), repetitions.size()));
                }
                out.append(' ').append(cell).append(" |");
            }
            out.append("\n");
        }
        return out.toString();
    }

    /** "lo – hi" over the values (one value when they agree). */
    static <T> String range(List<T> items, Function<T, Double> value, String format) {
        double lo = items.stream().mapToDouble(value::apply).min().orElseThrow();
        double hi = items.stream().mapToDouble(value::apply).max().orElseThrow();
        String a = String.format(Locale.ROOT, format, lo);
        String b = String.format(Locale.ROOT, format, hi);
        return a.equals(b) ? a : a + " – " + b;
    }

    private static Matcher find(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalArgumentException("a summary without '" + pattern.pattern() + "': " + body.lines().findFirst().orElse(""));
        }
        return m;
    }
}
