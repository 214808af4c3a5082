package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.SchemaVersions;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CSV input: a header row, then one example per row. Columns {@code question} and
 * {@code answer} are required; {@code id}, {@code aliases} (separated by {@code |}),
 * {@code relation}, {@code subject}, {@code source} and {@code purpose} are optional. Header
 * names are matched without regard to case or surrounding spaces; other columns are ignored
 * (and said so). An empty cell means the field is absent. Values are taken as they are, except
 * that each alias is trimmed and empty aliases are dropped.
 */
final class CsvExampleReader implements ExampleReader {

    static final List<String> REQUIRED = List.of("question", "answer");
    static final List<String> OPTIONAL = List.of("id", "aliases", "relation", "subject", "source", "purpose");

    private final CsvParser parser;
    private final Map<String, Integer> columns;
    private final int width;
    private final List<String> notes;

    private CsvExampleReader(CsvParser parser, Map<String, Integer> columns, int width, List<String> notes) {
        this.parser = parser;
        this.columns = columns;
        this.width = width;
        this.notes = notes;
    }

    static CsvExampleReader open(Path file) throws PushException {
        CsvParser parser;
        try {
            parser = new CsvParser(new InputStreamReader(new FileInputStream(file.toFile()),
                    StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)));
        } catch (IOException e) {
            throw new PushException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            CsvParser.Row header = parser.next();
            while (header != null && header.blank()) {
                header = parser.next();
            }
            if (header == null) {
                throw new PushException(file + " is empty: a CSV file needs a header row naming at least "
                        + String.join(" and ", REQUIRED));
            }
            if (header.error() != null) {
                throw new PushException("the CSV header of " + file + " (line " + header.startLine() + ") is malformed: "
                        + header.error());
            }
            Map<String, Integer> columns = new HashMap<>();
            List<String> names = new ArrayList<>();
            List<String> ignored = new ArrayList<>();
            for (int i = 0; i < header.fields().size(); i++) {
                String raw = header.fields().get(i);
                String name = (i == 0 && raw.startsWith("\uFEFF") ? raw.substring(1) : raw).strip().toLowerCase(Locale.ROOT);
                names.add(name);
                if (!REQUIRED.contains(name) && !OPTIONAL.contains(name)) {
                    ignored.add(name.isEmpty() ? "(column " + (i + 1) + ", unnamed)" : "'" + name + "'");
                    continue;
                }
                Integer previous = columns.putIfAbsent(name, i);
                if (previous != null) {
                    throw new PushException("the CSV header of " + file + " (line " + header.startLine() + ") names column '"
                            + name + "' twice (columns " + (previous + 1) + " and " + (i + 1) + ")");
                }
            }
            for (String required : REQUIRED) {
                if (!columns.containsKey(required)) {
                    throw new PushException("the CSV header of " + file + " (line " + header.startLine()
                            + ") lacks the required column '" + required + "'; found: " + String.join(", ", names)
                            + ". Required: " + String.join(", ", REQUIRED) + "; optional: " + String.join(", ", OPTIONAL));
                }
            }
            List<String> notes = ignored.isEmpty() ? List.of()
                    : List.of("ignoring CSV column" + (ignored.size() > 1 ? "s " : " ") + String.join(", ", ignored)
                    + " (known: " + String.join(", ", REQUIRED) + ", " + String.join(", ", OPTIONAL) + ")");
            return new CsvExampleReader(parser, columns, header.fields().size(), notes);
        } catch (IOException e) {
            closeQuietly(parser);
            throw new PushException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (PushException e) {
            closeQuietly(parser);
            throw e;
        }
    }

    @Override
    public InputRecord next() throws IOException {
        CsvParser.Row row = parser.next();
        while (row != null && row.blank()) {
            row = parser.next();
        }
        if (row == null) {
            return null;
        }
        long line = row.startLine();
        if (row.error() != null) {
            return InputRecord.invalid(line, row.endLine(), new Rejection(line, null, Rejection.INVALID_CSV, row.error(), false));
        }
        if (row.fields().size() != width) {
            return InputRecord.invalid(line, row.endLine(), new Rejection(line, null, Rejection.INVALID_CSV,
                    "the row has " + row.fields().size() + " field" + (row.fields().size() == 1 ? "" : "s")
                            + ", the header has " + width, false));
        }
        try {
            return InputRecord.valid(line, row.endLine(), toExample(row.fields()));
        } catch (ContractViolation violation) {
            return InputRecord.invalid(line, row.endLine(), Rejection.of(line, violation));
        }
    }

    private Example toExample(List<String> fields) {
        Purpose purpose = null;
        String purposeCell = cell(fields, "purpose");
        if (purposeCell != null) {
            try {
                purpose = Purpose.fromWire(purposeCell);
            } catch (ContractViolation violation) {
                throw violation.under("purpose");
            }
        }
        return new Example(SchemaVersions.CURRENT, cell(fields, "id"), cell(fields, "question"), cell(fields, "answer"),
                aliases(cell(fields, "aliases")), cell(fields, "relation"), cell(fields, "subject"), cell(fields, "source"),
                null, null, null, purpose);
    }

    private String cell(List<String> fields, String column) {
        Integer index = columns.get(column);
        if (index == null) {
            return null;
        }
        String value = fields.get(index);
        return value.isEmpty() ? null : value;
    }

    private static List<String> aliases(String cell) {
        if (cell == null) {
            return null;
        }
        List<String> aliases = new ArrayList<>();
        for (String alias : cell.split("\\|", -1)) {
            String trimmed = alias.strip();
            if (!trimmed.isEmpty()) {
                aliases.add(trimmed);
            }
        }
        return aliases;
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    private static void closeQuietly(CsvParser parser) {
        try {
            parser.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
