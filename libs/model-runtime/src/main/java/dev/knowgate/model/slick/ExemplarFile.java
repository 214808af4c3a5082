package dev.knowgate.model.slick;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model version's few-shot exemplars: {@value #FILE_NAME}, one {@link Example} JSON per line
 * (extra fields such as the fact world's exposure are ignored). Examples without a relation still
 * serve the mixed pool.
 */
public final class ExemplarFile {

    public static final String FILE_NAME = "exemplars.jsonl";

    private ExemplarFile() {
    }

    /** @throws IllegalArgumentException naming the line and field of the first bad line */
    public static List<Exemplar> read(Path file) throws IOException {
        List<Exemplar> exemplars = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                Example e = ContractJson.read(line, Example.class);
                exemplars.add(new Exemplar(e.id(), e.relation(), e.question(), e.answer()));
            } catch (ContractViolation v) {
                throw new IllegalArgumentException(file.getFileName() + " line " + (i + 1) + ": " + v.getMessage(), v);
            }
        }
        if (exemplars.isEmpty()) {
            throw new IllegalArgumentException(file.getFileName() + " holds no exemplars");
        }
        return exemplars;
    }
}
