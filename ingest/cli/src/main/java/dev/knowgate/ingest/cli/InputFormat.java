package dev.knowgate.ingest.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The file formats knowgate-push reads. */
public enum InputFormat {
    /** One Example JSON object per line (also called NDJSON); blank lines are skipped. */
    JSONL,
    /** RFC 4180 CSV with a header row naming at least question and answer. */
    CSV;

    /** The format a file name's extension implies: .jsonl and .ndjson are JSONL, .csv is CSV. */
    public static Optional<InputFormat> fromFileName(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
            return Optional.of(JSONL);
        }
        if (lower.endsWith(".csv")) {
            return Optional.of(CSV);
        }
        return Optional.empty();
    }

    /** The name used in options and the state file: "jsonl", "csv". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
