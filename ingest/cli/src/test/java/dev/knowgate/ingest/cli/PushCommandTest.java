package dev.knowgate.ingest.cli;

import dev.knowgate.ingest.cli.FakeIngest.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command's shell: options, output and exit codes. */
class PushCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<Duration> waits = new ArrayList<>();

    private int run(String... args) {
        CommandLine cli = PushCommand.commandLine(new PushCommand(b -> b.sleeper(waits::add), false));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path examples(int n, String... extraLines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            text.append("{\"question\":\"Q").append(i).append("\",\"answer\":\"A").append(i).append("\"}\n");
        }
        for (String line : extraLines) {
            text.append(line).append('\n');
        }
        Path file = dir.resolve("data.jsonl");
        Files.writeString(file, text);
        return file;
    }

    /**
     * --wait after a complete push, with categorize-stream unreachable: the push's summary, then a
     * clear reason and exit 5 once --wait-timeout has passed; --wait with --dry-run is a usage error.
     */
    @Test
    void waitGivesUpAfterItsTimeoutWhenCategorizeStreamCannotBeReached() throws Exception {
        Path file = examples(3);
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (FakeIngest ingest = new FakeIngest()) {
            int code = run("--url", ingest.url().toString(), "--api-key", "k", "--categorize-url",
                    "http://127.0.0.1:" + closed, "--wait", "--wait-timeout", "2s", "--no-progress", file.toString());

            assertThat(code).isEqualTo(PushCommand.EXIT_NOT_SETTLED);
            assertThat(out.toString()).contains("push of data.jsonl").containsPattern("accepted +3")
                    .contains("submission: push-").doesNotContain("verdicts of submission");
            assertThat(err.toString()).contains("waiting for the verdicts of submission push-")
                    .contains("--wait: gave up after 2.0 s: cannot reach categorize-stream at http://127.0.0.1:" + closed
                            + " (connection refused)");
            assertThat(ingest.requests()).singleElement().satisfies(r -> assertThat(r.submission()).startsWith("push-"));
        }
        assertThat(run("--dry-run", "--wait", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--wait and --report need a real push, not --dry-run");
    }

    @Test
    void dryRunOfAValidFilePrintsTheSummaryAndExitsZero() throws Exception {
        Path file = examples(1200);

        int code = run("--dry-run", "--batch-size", "500", file.toString());

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("dry run of data.jsonl: validated locally, nothing sent")
                .containsPattern("lines read +1200")
                .containsPattern("valid +1200 \\(would be sent in 3 batches\\)")
                .containsPattern("rejected +0")
                .containsPattern("duplicates +0")
                .contains("lines checked/s");
        // progress moves batch by batch: a line whenever another 10 % is passed
        assertThat(err.toString()).contains("checked 41% (line 500 of 1200)").contains("checked 100% (line 1200 of 1200)");
        assertThat(err.toString().lines()).hasSize(3);
        assertThat(Files.exists(PushState.defaultFileFor(file))).isFalse();
    }

    @Test
    void dryRunListsTheFirstTwentyRejectionsOrAllWithVerbose() throws Exception {
        String[] bad = new String[25];
        for (int i = 0; i < bad.length; i++) {
            bad[i] = "{\"question\":\"B" + i + "\"}";
        }
        Path file = examples(2, bad);

        int code = run("--dry-run", "--quiet", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString())
                .containsPattern("rejected +25 \\(missing_field 25\\)")
                .contains("not accepted (first 20 of 25; --verbose lists all):")
                .contains("  line 3: field answer: is required but missing [missing_field]")
                .contains("  line 22: field answer")
                .doesNotContain("line 23:");
        assertThat(err.toString()).isEmpty();

        out.getBuffer().setLength(0);
        assertThat(run("--dry-run", "--quiet", "--verbose", file.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("not accepted:").contains("line 27: field answer");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path file = examples(1);
        assertThat(run("--batch-size", "0", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("batch size must be between 1 and 10000");
        assertThat(run("--batch-size", "10001", file.toString())).isEqualTo(2);
        assertThat(run("--format", "xml", file.toString())).isEqualTo(2);
        assertThat(run("--retry-max-wait", "soon", file.toString())).isEqualTo(2);
        assertThat(run("--url", "ftp://x", file.toString())).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        err.getBuffer().setLength(0);
        assertThat(run("--dry-run", dir.resolve("missing.jsonl").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("knowgate-push: cannot read").contains("no such file");
    }

    @Test
    void helpNeverShowsTheKey() {
        assertThat(run("--help", "--api-key", "kg-very-secret")).isZero();
        assertThat(out.toString()).contains("--api-key").contains("--dry-run").contains("Exit codes")
                .doesNotContain("kg-very-secret");
    }

    @Test
    void pushesResumesAndReportsCompletion() throws Exception {
        Path file = examples(30);
        try (FakeIngest fake = new FakeIngest()) {
            fake.then(Reply::accepted).then(r -> Reply.problem(503, "Service Unavailable", "down", Map.of()));
            // gives up on batch 2 after one retry
            fake.then(r -> Reply.problem(503, "Service Unavailable", "down", Map.of()));
            int code = run("--url", fake.url().toString(), "--api-key", "k", "--batch-size", "10", "--max-retries", "1",
                    "--no-progress", file.toString());
            assertThat(code).isEqualTo(4);
            assertThat(err.toString()).contains("gave up on the batch of lines 11-20 after 1 retry");
            assertThat(out.toString()).containsPattern("accepted +10").contains("up to line 10 of 30");

            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            code = run("--url", fake.url().toString(), "--api-key", "k", "--batch-size", "10", "--no-progress", file.toString());
            assertThat(code).isZero();
            assertThat(err.toString()).contains("resuming at line 11 of data.jsonl");
            assertThat(out.toString()).contains("complete, every line accepted").containsPattern("accepted +30")
                    .containsPattern("batches +3").containsPattern("retries +1").contains("examples/s")
                    .contains("data.jsonl.push-state.json (complete)");

            out.getBuffer().setLength(0);
            assertThat(run("--url", fake.url().toString(), "--api-key", "k", file.toString())).isZero();
            assertThat(out.toString()).contains("already pushed completely").contains("--restart");
            assertThat(fake.requests()).hasSize(5);
        }
    }

    @Test
    void authFailureExitsThree() throws Exception {
        Path file = examples(3);
        try (FakeIngest fake = new FakeIngest()) {
            fake.otherwise(r -> Reply.problem(401, "Unauthorized", "unknown key", Map.of()));
            int code = run("--url", fake.url().toString(), "--api-key", "kg-wrong", "--quiet", file.toString());
            assertThat(code).isEqualTo(3);
            assertThat(err.toString()).contains("refused the API key").doesNotContain("kg-wrong");
            assertThat(out.toString()).doesNotContain("kg-wrong");
        }
    }
}
