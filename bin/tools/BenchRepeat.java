import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a benchmark command several times and prints its markdown tables and its last
 * {@code key=value} line once, with every number as the range over the runs ("11.33 – 15.14").
 * Launched as a single-file program by bin/bench-repeat (no build needed):
 * {@code java bin/tools/BenchRepeat.java RUNS LOG_DIR COMMAND [ARGS...]}.
 */
public final class BenchRepeat {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: BenchRepeat RUNS LOG_DIR COMMAND [ARGS...]");
            System.exit(2);
        }
        int runs = Integer.parseInt(args[0]);
        Path logs = Files.createDirectories(Path.of(args[1]));
        List<String> command = Arrays.asList(args).subList(2, args.length);
        List<List<String>> outputs = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            Path log = logs.resolve("run-" + i + ".log");
            long start = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int code = p.waitFor();
            System.out.printf(Locale.ROOT, "[repeat] run %d of %d: exit %d, %.0f s, %s%n", i, runs, code,
                    (System.nanoTime() - start) / 1e9, log);
            if (code != 0) {
                System.out.println(String.join("\n", tail(log)));
                System.exit(code);
            }
            outputs.add(Files.readAllLines(log, StandardCharsets.UTF_8));
        }
        System.out.println();
        for (String line : merge(outputs)) {
            System.out.println(line);
        }
    }

    /** The first run's table rows, headings and key=value lines, each number replaced by its range over the runs. */
    static List<String> merge(List<List<String>> outputs) {
        List<List<String>> kept = outputs.stream().map(BenchRepeat::kept).toList();
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < kept.get(0).size(); i++) {
            String first = kept.get(0).get(i);
            List<String> same = new ArrayList<>();
            for (List<String> run : kept) {
                if (i >= run.size()) {
                    throw new IllegalStateException("the runs printed different tables: run output lengths differ");
                }
                same.add(run.get(i));
            }
            merged.add(range(first, same));
        }
        while (!merged.isEmpty() && merged.get(0).isBlank()) {
            merged.remove(0);
        }
        return merged;
    }

    private static List<String> kept(List<String> output) {
        return output.stream().filter(l -> l.startsWith("|") || l.startsWith("#") || l.isBlank()
                || l.matches("[a-z_]+=\\S+( [a-z_]+=\\S+)*")).toList();
    }

    private static String range(String template, List<String> lines) {
        if (template.startsWith("#") || template.isBlank() || template.startsWith("|---")) {
            return template;
        }
        List<Matcher> matchers = lines.stream().map(NUMBER::matcher).toList();
        StringBuilder out = new StringBuilder();
        Matcher first = NUMBER.matcher(template);
        int at = 0;
        while (first.find()) {
            out.append(template, at, first.start());
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (Matcher m : matchers) {
                if (!m.find()) {
                    throw new IllegalStateException("the runs printed different lines: " + lines);
                }
                double v = Double.parseDouble(m.group());
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            int decimals = first.group().contains(".") ? first.group().length() - first.group().indexOf('.') - 1 : 0;
            String lo = String.format(Locale.ROOT, "%." + decimals + "f", min);
            String hi = String.format(Locale.ROOT, "%." + decimals + "f", max);
            out.append(lo.equals(hi) ? lo : lo + " – " + hi);
            at = first.end();
        }
        out.append(template.substring(at));
        return out.toString();
    }

    private static List<String> tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - 20), lines.size());
        } catch (IOException e) {
            return List.of("(no log)");
        }
    }
}
