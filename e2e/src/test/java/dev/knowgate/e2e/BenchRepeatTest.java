package dev.knowgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/bench-repeat's merge: the same table from every run, each number as its range over the runs. */
class BenchRepeatTest {

    @TempDir
    Path tmp;

    @Test
    void numbersBecomeRangesAndTextStays() throws Exception {
        // A "benchmark" whose numbers differ per run: the run counter in a file.
        Path counter = tmp.resolve("counter");
        String bench = "n=$(cat " + counter + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + counter + "; "
                + "echo 'warming up'; echo '| mode | examples/s |'; echo '|---|---|'; "
                + "echo \"| exact | $((n*10)).5 |\"; echo \"ratio=1.$n examples=200\"";
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "../bin/tools/BenchRepeat.java", "3", tmp.resolve("logs").toString(), "sh", "-c", bench))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();

        assertThat(out).contains("| mode | examples/s |\n|---|---|\n| exact | 10.5 – 30.5 |\nratio=1.1 – 1.3 examples=200")
                .doesNotContain("warming up");
        assertThat(tmp.resolve("logs/run-3.log")).exists();
        assertThat(Files.readString(tmp.resolve("logs/run-2.log"))).contains("| exact | 20.5 |");
    }
}
