import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of figures in docs/benchmarks.md and docs/results.md, each with the caption that says how it was
 * measured (bin/bench-tables). A single-file program, like BenchRepeat: no build needed.
 *
 * <pre>
 * java bin/tools/BenchTables.java ROOT list        every table: id, doc:line, date, runs, command
 * java bin/tools/BenchTables.java ROOT check       exit 1, naming each table without a valid caption
 * java bin/tools/BenchTables.java ROOT command ID  the shell command that regenerates table ID
 * </pre>
 *
 * A table is a line starting with '|' followed by a '|---' line. Somewhere after the previous table (or the top),
 * it has one caption line:
 * <pre>
 * Measured: `COMMAND` on YYYY-MM-DD, MACHINE, N run[s][ (NOTE)]; table `ID`.
 * Not measured: WHY.
 * </pre>
 * COMMAND is one or more bin/ commands joined by " &amp;&amp; "; with N &gt; 1 it is run through bin/bench-repeat,
 * unless the NOTE is "repeated by the command" (a command that runs its N repetitions itself and prints the ranges).
 */
public final class BenchTables {

    static final List<String> DOCS = List.of("docs/benchmarks.md", "docs/results.md");
    static final Pattern MEASURED = Pattern.compile(
            "^Measured: `([^`]+)` on (\\d{4}-\\d{2}-\\d{2}), (.+), (\\d+) runs?(?: \\(([^)]+)\\))?; table `([a-z0-9-]+)`\\.$");
    static final Pattern NOT_MEASURED = Pattern.compile("^Not measured: \\S.*\\.$");

    static final String SELF_REPEATED = "repeated by the command";

    record Table(String doc, int line, String id, String command, String date, String machine, int runs, String note) {

        /** What regenerates the table: the command, or bin/bench-repeat over it when the figures are ranges. */
        String shell() {
            return runs > 1 && !SELF_REPEATED.equals(note) ? "bin/bench-repeat " + runs + " bash -c '" + command + "'"
                    : command;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            usage();
        }
        Path root = Path.of(args[0]);
        List<String> problems = new ArrayList<>();
        List<Table> tables = read(root, problems);
        switch (args[1]) {
            case "list" -> {
                for (Table t : tables) {
                    System.out.printf(Locale.ROOT, "%-22s %s:%d  %s  %d run%s  %s%n", t.id(), t.doc(), t.line(), t.date(),
                            t.runs(), t.runs() == 1 ? " " : "s", t.command());
                }
            }
            case "check" -> {
                problems.forEach(System.out::println);
                if (!problems.isEmpty()) {
                    System.exit(1);
                }
                System.out.println(tables.size() + " measured tables, every table captioned");
            }
            case "command" -> {
                if (args.length != 3) {
                    usage();
                }
                Table t = tables.stream().filter(x -> x.id().equals(args[2])).findFirst().orElse(null);
                if (t == null) {
                    System.err.println("no table '" + args[2] + "'; `bin/bench-tables list` names them");
                    System.exit(2);
                }
                System.out.println(t.shell());
            }
            default -> usage();
        }
    }

    static List<Table> read(Path root, List<String> problems) throws IOException {
        List<Table> tables = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String doc : DOCS) {
            List<String> lines = Files.readAllLines(root.resolve(doc), StandardCharsets.UTF_8);
            Matcher caption = null;
            boolean notMeasured = false;
            int captionLine = 0;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                Matcher m = MEASURED.matcher(l);
                if (m.matches() || NOT_MEASURED.matcher(l).matches()) {
                    if (caption != null || notMeasured) {
                        problems.add(doc + ":" + (i + 1) + ": a second caption before any table (the first is at line "
                                + captionLine + ")");
                    }
                    caption = m.matches() ? m : null;
                    notMeasured = !m.matches();
                    captionLine = i + 1;
                    continue;
                }
                if (l.startsWith("Measured:") || l.startsWith("Not measured:")) {
                    problems.add(doc + ":" + (i + 1) + ": a caption that does not read `Measured: `COMMAND` on DATE, "
                            + "MACHINE, N runs; table `ID`.` or `Not measured: WHY.`");
                    continue;
                }
                boolean table = l.startsWith("|") && i + 1 < lines.size() && lines.get(i + 1).startsWith("|--");
                if (!table) {
                    continue;
                }
                if (caption == null && !notMeasured) {
                    problems.add(doc + ":" + (i + 1) + ": a table without a caption (Measured: ... or Not measured: ...)");
                } else if (caption != null) {
                    Table t = new Table(doc, i + 1, caption.group(6), caption.group(1), caption.group(2),
                            caption.group(3), Integer.parseInt(caption.group(4)), caption.group(5));
                    if (!ids.add(t.id())) {
                        problems.add(doc + ":" + captionLine + ": table id '" + t.id() + "' is used twice");
                    }
                    for (String part : t.command().split(" && ")) {
                        String script = part.strip().split("\\s+")[0];
                        if (!script.startsWith("bin/") || !Files.isExecutable(root.resolve(script))) {
                            problems.add(doc + ":" + captionLine + ": '" + script + "' is not one of bin/'s commands");
                        }
                    }
                    if (t.runs() < 1) {
                        problems.add(doc + ":" + captionLine + ": runs must be at least 1");
                    }
                    tables.add(t);
                }
                caption = null;
                notMeasured = false;
                while (i + 1 < lines.size() && lines.get(i + 1).startsWith("|")) {
                    i++;
                }
            }
        }
        return tables;
    }

    private static void usage() {
        System.err.println("usage: BenchTables ROOT list | check | command ID");
        System.exit(2);
    }
}
