package dev.knowgate.trainer.backend;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Route;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a round's dataset (train.jsonl, dev.jsonl, and round-dataset.jsonl in the version it
 * produced): the question, the gold answer, its SliCK category under the parent version, whether it
 * was replayed from an earlier round, and whether a curator released it from the quarantine (new
 * knowledge on purpose; written only when true).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoundExample(String id, String question, String answer, String relation, Category category,
                           boolean replay, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean released) {

    public RoundExample(String id, String question, String answer, String relation, Category category, boolean replay) {
        this(id, question, answer, relation, category, replay, false);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static RoundExample of(CategorizedExample accepted) {
        return new RoundExample(accepted.example().id(), accepted.example().question(), accepted.example().answer(),
                accepted.example().relation(), accepted.verdict().category(), false, accepted.route() == Route.RELEASED);
    }

    public RoundExample asReplay() {
        return new RoundExample(id, question, answer, relation, category, true, released);
    }

    /** Writes one example per line (the dataset files of a round). */
    public static Path writeJsonl(Path file, List<RoundExample> examples) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (RoundExample e : examples) {
                w.write(JSON.writeValueAsString(e));
                w.write('\n');
            }
        }
        return file;
    }

    public static List<RoundExample> readJsonl(Path file) throws IOException {
        List<RoundExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.add(JSON.readValue(line, RoundExample.class));
                }
            }
        }
        return out;
    }
}
