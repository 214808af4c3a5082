package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ExampleIds;
import dev.knowgate.contracts.Purpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading and checking input without a service: dry runs and the readers. */
class LocalValidationTest {

    @TempDir
    Path dir;

    /** Nothing listens here; a dry run must never try. */
    private final Pusher pusher = Pusher.builder(URI.create("http://127.0.0.1:9")).maxRetries(0).build();

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static List<InputRecord> readAll(Path file, InputFormat format) throws Exception {
        List<InputRecord> records = new ArrayList<>();
        try (ExampleReader reader = ExampleReader.open(file, format)) {
            InputRecord r;
            while ((r = reader.next()) != null) {
                records.add(r);
            }
        }
        return records;
    }

    @Test
    void jsonlErrorsNameTheFileLineAndTheField() throws Exception {
        Path file = write("mixed.jsonl", String.join("\n",
                "{\"question\":\"Where was Lorin Vask born?\",\"answer\":\"Tessaly\"}",
                "",
                "   ",
                "{\"question\":\"Q2\"}",
                "{\"question\":\"Q3\",\"answer\":42}",
                "not json",
                "{\"question\":\"Q5\",\"answer\":\"A5\",\"aliases\":[\"ok\",\"\"]}",
                "{\"question\":\"Q6\",\"answer\":\"A6\",\"schemaVersion\":7}",
                "{\"question\":\"Q7\",\"answer\":\"A7\",\"answer\":\"again\"}") + "\r\n");

        PushResult result = pusher.push(PushOptions.of(file).withDryRun(true));

        assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stateFile()).isNull();
        assertThat(Files.exists(PushState.defaultFileFor(file))).isFalse();
        assertThat(result.counts().linesRead()).isEqualTo(7);
        assertThat(result.counts().accepted()).isEqualTo(1);
        assertThat(result.counts().rejected()).isEqualTo(6);
        assertThat(result.counts().rejectedByReason()).containsEntry("missing_field", 1L).containsEntry("wrong_type", 1L)
                .containsEntry("invalid_json", 1L).containsEntry("invalid_value", 1L)
                .containsEntry("unsupported_schema_version", 1L).containsEntry("duplicate_field", 1L);
        assertThat(result.rejections()).extracting(Rejection::describe).containsExactly(
                "line 4: field answer: is required but missing [missing_field]",
                "line 5: field answer: must be a string, got number 42 [wrong_type]",
                result.rejections().get(2).describe(),
                "line 7: field aliases[1]: must not be blank [invalid_value]",
                result.rejections().get(4).describe(),
                "line 9: field answer: appears more than once [duplicate_field]");
        assertThat(result.rejections().get(2).describe()).startsWith("line 6: invalid JSON");
        assertThat(result.rejections().get(4).describe()).startsWith("line 8: ").contains("schemaVersion 7");
    }

    @Test
    void duplicateIdsAreReportedOnTheLaterLinesAndNotCountedAsRejected() throws Exception {
        Path file = write("dups.jsonl", """
                {"question":"Where was Lorin Vask born?","answer":"Tessaly"}
                {"question":"Who wrote X?","answer":"Y"}
                {"question":"  where was LORIN vask   born? ","answer":"tessaly"}
                {"id":"custom-1","question":"A","answer":"B"}
                {"id":"custom-1","question":"C","answer":"D"}
                """);

        PushResult result = pusher.push(PushOptions.of(file).withDryRun(true));

        assertThat(result.counts().accepted()).isEqualTo(3);
        assertThat(result.counts().duplicates()).isEqualTo(2);
        assertThat(result.counts().rejected()).isZero();
        assertThat(result.exitCode()).isEqualTo(1);
        String id = ExampleIds.of("Where was Lorin Vask born?", "Tessaly");
        assertThat(result.rejections()).extracting(Rejection::line, Rejection::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, "duplicate"), org.assertj.core.groups.Tuple.tuple(5L, "duplicate"));
        assertThat(result.rejections().get(0).message()).contains("line 1").contains(id);
    }

    @Test
    void validFileDryRunExitsZeroAndCountsBatches() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 1001; i++) {
            lines.append("{\"question\":\"Q").append(i).append("\",\"answer\":\"A").append(i).append("\"}\n");
        }
        Path file = write("ok.ndjson", lines.toString());

        PushResult result = pusher.push(PushOptions.of(file).withDryRun(true).withBatchSize(250));

        assertThat(result.exitCode()).isZero();
        assertThat(result.counts().accepted()).isEqualTo(1001);
        assertThat(result.counts().batches()).isEqualTo(5);
        assertThat(result.counts().requests()).isZero();
    }

    @Test
    void csvRowsBecomeExamples() throws Exception {
        Path file = write("facts.csv", "\uFEFFQuestion, answer ,aliases,relation,subject,source,purpose,id,notes\r\n"
                + "\"Where was Lorin Vask born?\",Tessaly,\"Tessaly City | Tess\",birthplace,Lorin Vask,,probe,,x\r\n"
                + "\"Who said \"\"no, never\"\"?\",\"Mira, the elder\",,,,batch-7,,ex-given,\r\n");

        List<InputRecord> records = readAll(file, InputFormat.CSV);

        assertThat(records).hasSize(2);
        Example first = records.get(0).example();
        assertThat(first.question()).isEqualTo("Where was Lorin Vask born?");
        assertThat(first.aliases()).containsExactly("Tessaly City", "Tess");
        assertThat(first.relation()).isEqualTo("birthplace");
        assertThat(first.subject()).isEqualTo("Lorin Vask");
        assertThat(first.source()).isNull();
        assertThat(first.purpose()).isEqualTo(Purpose.PROBE);
        assertThat(first.id()).isEqualTo(ExampleIds.of("Where was Lorin Vask born?", "Tessaly"));
        Example second = records.get(1).example();
        assertThat(second.question()).isEqualTo("Who said \"no, never\"?");
        assertThat(second.answer()).isEqualTo("Mira, the elder");
        assertThat(second.source()).isEqualTo("batch-7");
        assertThat(second.id()).isEqualTo("ex-given");
        assertThat(records.get(1).startLine()).isEqualTo(3);

        try (ExampleReader reader = ExampleReader.open(file, InputFormat.CSV)) {
            assertThat(reader.notes()).singleElement().asString().contains("'notes'");
        }
    }

    @Test
    void csvProblemsNameTheLineAndTheField() throws Exception {
        Path file = write("bad.csv", "question,answer,purpose\n"
                + "Q1,,\n"                              // line 2: answer missing
                + "\"Q2 with a\nline break\",A2,\n"       // lines 3-4: question not one line
                + "Q3,A3,sometimes\n"                   // line 5: purpose
                + "Q4,A4\n"                             // line 6: too few fields
                + "Q5,A5,training\n");                  // line 7: fine

        PushResult result = pusher.push(PushOptions.of(file).withDryRun(true));

        assertThat(result.rejections()).extracting(Rejection::line, Rejection::field, Rejection::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, "answer", "missing_field"),
                org.assertj.core.groups.Tuple.tuple(3L, "question", "invalid_value"),
                org.assertj.core.groups.Tuple.tuple(5L, "purpose", "invalid_value"),
                org.assertj.core.groups.Tuple.tuple(6L, null, "invalid_csv"));
        assertThat(result.rejections().get(3).describe()).isEqualTo("line 6: the row has 2 fields, the header has 3 [invalid_csv]");
        assertThat(result.counts().accepted()).isEqualTo(1);
        assertThat(result.counts().linesRead()).isEqualTo(5);
    }

    @Test
    void csvWithoutARequiredColumnIsRefusedNamingTheHeader() throws Exception {
        Path file = write("noanswer.csv", "question,id,reply\nQ1,,A1\n");

        assertThatThrownBy(() -> pusher.push(PushOptions.of(file).withDryRun(true)))
                .isInstanceOf(PushException.class)
                .hasMessageContaining("CSV header")
                .hasMessageContaining("lacks the required column 'answer'")
                .hasMessageContaining("found: question, id, reply");
    }

    @Test
    void emptyCsvAndUnknownFormatAndMissingFileAreUsageErrors() throws Exception {
        Path empty = write("empty.csv", "");
        Path text = write("facts.txt", "{}");
        assertThatThrownBy(() -> pusher.push(PushOptions.of(empty).withDryRun(true)))
                .isInstanceOf(PushException.class).hasMessageContaining("header row");
        assertThatThrownBy(() -> pusher.push(PushOptions.of(text).withDryRun(true)))
                .isInstanceOf(PushException.class).hasMessageContaining("--format");
        assertThatThrownBy(() -> pusher.push(PushOptions.of(dir.resolve("missing.jsonl")).withDryRun(true)))
                .isInstanceOf(PushException.class).hasMessageContaining("no such file");
        // an explicit format reads any name
        assertThat(pusher.push(PushOptions.of(text).withFormat(InputFormat.JSONL).withDryRun(true)).counts().rejected()).isEqualTo(1);
    }

    @Test
    void sourceIsStampedOnlyWhereThereIsNone() throws Exception {
        Path file = write("src.jsonl", """
                {"question":"Q1","answer":"A1"}
                {"question":"Q2","answer":"A2","source":"mine"}
                """);
        List<String> sent = new ArrayList<>();
        try (FakeIngest fake = new FakeIngest()) {
            Pusher live = Pusher.builder(fake.url()).apiKey("k").build();
            live.push(PushOptions.of(file).withSource("batch-9"));
            fake.requests().forEach(r -> r.lines().forEach(l -> sent.add(l.path("source").asText())));
        }
        assertThat(sent).containsExactly("batch-9", "mine");
        assertThatThrownBy(() -> PushOptions.of(file).withSource("two\nlines"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single line");
    }

    @Test
    void invalidUtf8IsInvalidJsonOnItsLine() throws Exception {
        Path file = dir.resolve("latin1.jsonl");
        byte[] good = "{\"question\":\"Q1\",\"answer\":\"A1\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"question\":\"Caf\u00e9?\",\"answer\":\"A\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, concat(good, bad));

        PushResult result = pusher.push(PushOptions.of(file).withDryRun(true));

        assertThat(result.rejections()).singleElement().satisfies(r -> {
            assertThat(r.line()).isEqualTo(2);
            assertThat(r.reason()).isEqualTo("invalid_json");
        });
    }

    /** Overlong '/' used to be read as '/', so the line was sent with id "../../etc"; now it names the line and field. */
    @Test
    void overlongUtf8AndOtherEncodingsAreRefusedNamingTheLineAndField() throws Exception {
        Path file = dir.resolve("hostile.jsonl");
        byte[] good = "{\"question\":\"Q1\",\"answer\":\"A1\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] overlongId = concat(concat("{\"id\":\"..".getBytes(StandardCharsets.UTF_8), new byte[]{(byte) 0xC0, (byte) 0xAF}),
                "..etc\",\"question\":\"Q2\",\"answer\":\"A2\"}\n".getBytes(StandardCharsets.UTF_8));
        byte[] overlongAnswer = concat(concat("{\"question\":\"Q3\",\"answer\":\"a".getBytes(StandardCharsets.UTF_8),
                new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF}), "b\"}\n".getBytes(StandardCharsets.UTF_8));
        byte[] utf16 = concat("{\"question\":\"Q4\",\"answer\":\"A4\"}".getBytes(StandardCharsets.UTF_16),
                "\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, concat(concat(good, overlongId), concat(overlongAnswer, utf16)));

        PushResult result = pusher.push(PushOptions.of(file).withDryRun(true));

        assertThat(result.counts().accepted()).isEqualTo(1);
        assertThat(result.rejections()).extracting(Rejection::line, Rejection::field, Rejection::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, "id", "invalid_json"),
                org.assertj.core.groups.Tuple.tuple(3L, "answer", "invalid_json"),
                org.assertj.core.groups.Tuple.tuple(4L, null, "invalid_json"));
        assertThat(result.rejections().get(0).describe())
                .startsWith("line 2: field id: not valid UTF-8: bytes C0 AF at byte offset 9");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
