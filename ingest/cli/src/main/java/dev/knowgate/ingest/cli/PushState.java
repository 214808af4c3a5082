package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.json.ContractJson;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The progress of a push, saved next to the input ({@code <file>.push-state.json}) after every
 * acknowledged batch. Holds no secret: neither the API key nor example content.
 *
 * @param version      format version of this file, {@link #VERSION}
 * @param status       {@link #IN_PROGRESS} or {@link #COMPLETE}
 * @param input        fingerprint of the input this progress belongs to
 * @param format       "jsonl" or "csv"
 * @param target       the ingest URL the examples went to
 * @param linesHandled every line up to and including this one (1-based) was sent and acknowledged,
 *                     or rejected; a resumed run continues after it
 * @param counts       totals so far
 * @param rejections   the rejected and duplicate lines so far, in line order (at most
 *                     {@link #MAX_KEPT_REJECTIONS}; the counts stay exact beyond that)
 * @param startedAt    when the first run of this push began
 * @param updatedAt    when this state was saved
 * @param submission   the submission every request of this push named (absent in states saved before
 *                     submissions existed: a resumed push then gets a new one)
 */
public record PushState(int version, String status, Fingerprint input, String format, String target,
                        long linesHandled, PushCounts counts, List<Rejection> rejections,
                        Instant startedAt, Instant updatedAt, String submission) {

    public static final int VERSION = 1;
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETE = "complete";
    /** Kept in the state (and the result) per push; beyond it only counts are kept. */
    public static final int MAX_KEPT_REJECTIONS = 10_000;
    /** Suffix of the default state file, next to the input. */
    public static final String SUFFIX = ".push-state.json";

    public PushState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(input, "input");
        counts = counts == null ? PushCounts.ZERO : counts;
        rejections = rejections == null ? List.of() : List.copyOf(rejections);
    }

    public boolean complete() {
        return COMPLETE.equals(status);
    }

    /** The default state file of {@code input}: {@code <input>.push-state.json} in the same folder. */
    public static Path defaultFileFor(Path input) {
        Path absolute = input.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + SUFFIX);
    }

    /**
     * The saved state, if the file exists.
     *
     * @throws PushException when it exists but cannot be read as a push state
     */
    public static Optional<PushState> read(Path file) throws PushException {
        byte[] bytes;
        try (InputStream in = new java.io.FileInputStream(file.toFile())) {
            bytes = in.readAllBytes();
        } catch (NoSuchFileException | java.io.FileNotFoundException missing) {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            throw new PushException("cannot read the state file " + file + ": " + missing.getMessage(), missing);
        } catch (IOException e) {
            throw new PushException("cannot read the state file " + file + ": " + e.getMessage(), e);
        }
        try {
            PushState state = ContractJson.read(bytes, PushState.class);
            if (state.version() != VERSION) {
                throw new PushException("the state file " + file + " has version " + state.version()
                        + ", this knowgate-push reads " + VERSION + "; use --restart to start the push over");
            }
            return Optional.of(state);
        } catch (IllegalArgumentException | NullPointerException e) { // ContractViolation included
            throw new PushException("the state file " + file + " is not a knowgate-push state (" + e.getMessage()
                    + "); use --restart to start the push over", e);
        }
    }

    /**
     * Writes this state to {@code file} atomically: to a temporary file in the same folder,
     * flushed to disk, then moved over the old one, so a crash leaves the old or the new state,
     * never half of one. Uses {@link FileOutputStream} so an interrupt cannot break the write.
     */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        byte[] json = (ContractJson.writePrettyString(this) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
                out.write(json);
                out.getFD().sync();
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
