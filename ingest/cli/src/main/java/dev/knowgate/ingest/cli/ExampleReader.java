package dev.knowgate.ingest.cli;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an input file record by record, checking each against the Example contract.
 *
 * <p>Implementations read through {@link java.io.FileInputStream}, which, unlike NIO channels,
 * is not closed when the reading thread is interrupted: an interrupt must stop a push between
 * batches, not break the file it reads.
 */
interface ExampleReader extends Closeable {

    /** The next non-blank record, or null at the end of the file. */
    InputRecord next() throws IOException;

    /** Remarks about the file worth telling the user (ignored CSV columns). */
    default List<String> notes() {
        return List.of();
    }

    /** @throws PushException when the file cannot be opened or its CSV header is unusable */
    static ExampleReader open(Path file, InputFormat format) throws PushException {
        return switch (format) {
            case JSONL -> JsonlReader.open(file);
            case CSV -> CsvExampleReader.open(file);
        };
    }
}
