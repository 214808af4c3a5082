package dev.knowgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/bench-main-job's tables, from two repetitions' real output (the summaries bin/run printed on
 * 2026-12-07, kept in src/test/resources/main-job): each figure its range over the repetitions, the
 * versions each run announced with the statuses they ended in.
 */
class MainJobTablesTest {

    static final Path FIXTURES = Path.of("src/test/resources/main-job");

    @TempDir
    Path tmp;

    @Test
    void everyFigureIsItsRangeOverTheRepetitions() throws Exception {
        Result r = run(FIXTURES.resolve("run-1.txt"), FIXTURES.resolve("run-2.txt"));
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains(
                "| filtered, gate on | 100 s | 2 / 0 | 0 | 3 / 0 | 0.000 (0 of 296) | 0.000 | 0.951 – 0.957 (290 – 292 of 305) | yes |",
                "| unfiltered, gate off | 131 – 162 s | 3 / 0 | 0 | 4 / 0 | 0.017 – 0.024 (5 – 7 of 296) | 0.017 – 0.024 "
                        + "| 0.869 – 0.885 (265 – 270 of 305) | yes |",
                "| unfiltered, gate on, 2400 examples | 299 – 304 s | 4 / 5 | 676 – 682 | 5 / 5 | 0.027 (8 of 296) | 0.027 "
                        + "| 0.880 – 0.901 (388 – 399 of 441 – 443) | yes |",
                "| v4 | | 0.020 – 0.024 (live 2) | | 0.017 – 0.024 (live 2) | 0.024 (promoted 2) |",
                "| v7 | | | | | 0.047 – 0.068 (rejected 2) |");
    }

    @Test
    void aVersionOnlySomeRepetitionsAnnouncedSaysInHowMany() throws Exception {
        // The first repetition's long run stopped after its v9: v10 is the second's alone.
        String first = Files.readString(FIXTURES.resolve("run-1.txt"), StandardCharsets.UTF_8);
        Path cut = tmp.resolve("cut.log");
        Files.writeString(cut, first.lines().filter(l -> !l.startsWith("| knowgate-base@10 |"))
                .reduce("", (a, b) -> a + b + "\n"));
        Result r = run(cut, FIXTURES.resolve("run-2.txt"));
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("| v10 | | | | | 0.034 (rejected 1), in 1 of 2 runs |");
    }

    @Test
    void aRepetitionThatStoppedEarlyIsNamedAndNoTableIsPrinted() throws Exception {
        String first = Files.readString(FIXTURES.resolve("run-1.txt"), StandardCharsets.UTF_8);
        Path partial = tmp.resolve("partial.log");
        Files.writeString(partial, first.substring(0, first.lastIndexOf("=== summary")));
        Result r = run(FIXTURES.resolve("run-2.txt"), partial);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("partial.log: 4 summaries, not the repetition's 5").doesNotContain("| run |");
    }

    record Result(int code, String out) {
    }

    private static Result run(Path... logs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "../bin/tools/MainJobTables.java"));
        for (Path log : logs) {
            command.add(log.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
