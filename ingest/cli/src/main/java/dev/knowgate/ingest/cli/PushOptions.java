package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to push and how: one input file and its per-push settings. Immutable; start from
 * {@link #of(Path)} and adjust with the {@code with...} methods.
 *
 * @param input     the JSONL or CSV file
 * @param format    its format, or null to tell it from the extension (.jsonl/.ndjson/.csv)
 * @param stateFile where progress is saved, or null for {@code <input>.push-state.json}
 * @param batchSize valid examples per bulk request, 1 to {@link #MAX_BATCH_SIZE}
 * @param source    stamped as {@code source} on examples that have none; null for none
 * @param restart   ignore (and overwrite) saved progress
 * @param dryRun    validate locally only: send nothing, read and write no state
 * @param submission the submission the examples belong to (an id); null: the one saved with the
 *                  progress, or a new one for a fresh push
 */
public record PushOptions(Path input, InputFormat format, Path stateFile, int batchSize, String source,
                          boolean restart, boolean dryRun, String submission) {

    public static final int DEFAULT_BATCH_SIZE = 500;
    /** The bulk endpoint's line limit. */
    public static final int MAX_BATCH_SIZE = 10_000;

    public PushOptions {
        Objects.requireNonNull(input, "input");
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch size must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        if (source != null) {
            if (source.isBlank()) {
                source = null;
            } else {
                try {
                    Example.of("q", "a").withSource(source);
                } catch (ContractViolation violation) {
                    throw new IllegalArgumentException("source " + violation.detail(), violation);
                }
            }
        }
        if (submission != null) {
            try {
                submission = submission.isBlank() ? null : Example.submissionId(submission.strip());
            } catch (ContractViolation violation) {
                throw new IllegalArgumentException("submission " + violation.detail(), violation);
            }
        }
    }

    public static PushOptions of(Path input) {
        return new PushOptions(input, null, null, DEFAULT_BATCH_SIZE, null, false, false, null);
    }

    public PushOptions withSubmission(String submission) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    public PushOptions withFormat(InputFormat format) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    public PushOptions withStateFile(Path stateFile) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    public PushOptions withBatchSize(int batchSize) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    public PushOptions withSource(String source) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    public PushOptions withRestart(boolean restart) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    public PushOptions withDryRun(boolean dryRun) {
        return new PushOptions(input, format, stateFile, batchSize, source, restart, dryRun, submission);
    }

    /** The state file this push uses: the given one, or {@code <input>.push-state.json}. */
    public Path resolvedStateFile() {
        return stateFile != null ? stateFile.toAbsolutePath().normalize() : PushState.defaultFileFor(input);
    }
}
