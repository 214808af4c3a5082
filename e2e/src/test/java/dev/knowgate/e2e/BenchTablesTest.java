package dev.knowgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/bench-tables: every table of figures in docs/benchmarks.md and docs/results.md says how it was measured. */
class BenchTablesTest {

    private static final Path ROOT = Path.of("..");

    @TempDir
    Path tmp;

    @Test
    void everyTableOfTheBenchmarkAndResultsDocsHasItsCaption() throws Exception {
        Run r = tables(ROOT, "check");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("every table captioned");

        Run list = tables(ROOT, "list");
        assertThat(list.exit()).as(list.out()).isZero();
        assertThat(list.out()).contains("slick-batch-repeated", "docs/benchmarks.md:", "docs/results.md:", "kaplan");
    }

    @Test
    void aTableWithoutACaptionAWrongCommandOrATakenIdIsNamed() throws Exception {
        Files.createDirectories(tmp.resolve("docs"));
        Files.createDirectories(tmp.resolve("bin"));
        Path bench = tmp.resolve("bin/bench-x");
        Files.writeString(bench, "#!/bin/sh\n");
        bench.toFile().setExecutable(true);
        Files.writeString(tmp.resolve("docs/benchmarks.md"), String.join("\n",
                "# B", "",
                "Measured: `bin/bench-x 3` on 2026-12-05, a machine, 3 runs; table `a`.", "",
                "| x | y |", "|---|---|", "| 1 | 2 |", "",
                "| no caption | here |", "|---|---|", "",
                "Measured: `bin/bench-nope` on 2026-12-05, a machine, 1 run; table `a`.", "",
                "| x | y |", "|---|---|", "",
                "Measured: bin/bench-x on Tuesday; table `c`.", "",
                "Measured: `bin/bench-x 3` on 2026-12-05, a machine, 3 runs (repeated by the command); table `d`.", "",
                "| x | y |", "|---|---|", ""));
        Files.writeString(tmp.resolve("docs/results.md"), String.join("\n",
                "Not measured: the setup.", "", "| | |", "|---|---|", "| model | tiny |", ""));

        Run r = tables(tmp, "check");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(
                "docs/benchmarks.md:9: a table without a caption",
                "docs/benchmarks.md:12: table id 'a' is used twice",
                "docs/benchmarks.md:12: 'bin/bench-nope' is not one of bin/'s commands",
                "docs/benchmarks.md:17: a caption that does not read")
                .doesNotContain("results.md");

        // Ranges over several runs come from bin/bench-repeat, a single run from the command itself.
        assertThat(tables(tmp, "command", "a").out().strip()).isEqualTo("bin/bench-repeat 3 bash -c 'bin/bench-x 3'");
        // ... unless the command repeats itself.
        assertThat(tables(tmp, "command", "d").out().strip()).isEqualTo("bin/bench-x 3");
        Run missing = tables(tmp, "command", "zzz");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).contains("no table 'zzz'");
    }

    private record Run(int exit, String out) {
    }

    private static Run tables(Path root, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                ROOT.resolve("bin/tools/BenchTables.java").toString(), root.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }
}
