package dev.knowgate.ingest.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Hears what a push does, on the pushing thread. Every method has an empty default. A listener
 * may call {@link Cancellation#cancel()} (e.g. after the n-th batch) to stop the push there.
 */
public interface PushListener {

    PushListener NONE = new PushListener() {
    };

    /** Before the first line is read. */
    default void started(Start start) {
    }

    /** After a batch was acknowledged by the service and the progress was saved to the state file. */
    default void batchAcknowledged(Batch batch) {
    }

    /** Before waiting to repeat a request that failed. */
    default void retrying(Retry retry) {
    }

    /** Lines handled so far (sent and acknowledged or rejected), of {@code totalLines}. */
    default void progress(long linesHandled, long totalLines) {
    }

    /**
     * @param input            the input file
     * @param format           its format
     * @param totalLines       physical lines in the file
     * @param resumedAfterLine 0 for a fresh push; otherwise the saved progress: lines up to it are skipped
     * @param stateFile        where progress is saved; null in a dry run
     * @param dryRun           validating only
     * @param notes            remarks about the input (ignored CSV columns)
     */
    record Start(Path input, InputFormat format, long totalLines, long resumedAfterLine, Path stateFile,
                 boolean dryRun, List<String> notes) {
    }

    /**
     * @param number    1-based number of this batch over the whole push (resumed runs continue it)
     * @param firstLine first input line this batch covers
     * @param lastLine  last input line it covers: the state now says every line up to it is handled
     * @param ids       ids of the examples the service accepted, in line order
     * @param rejected  lines of this batch rejected (locally or by the service) or duplicate
     * @param requests  HTTP requests this batch took (1 unless retried, split or partly refused)
     * @param totals    totals of the push after this batch
     */
    record Batch(long number, long firstLine, long lastLine, List<String> ids, List<Rejection> rejected,
                 int requests, PushCounts totals) {
    }

    /**
     * @param attempt    1-based retry number for the current batch
     * @param maxRetries the most retries allowed
     * @param delay      how long the push waits before retrying
     * @param cause      what failed ("connection refused", "HTTP 503: broker unavailable")
     * @param firstLine  first line of the batch being retried
     */
    record Retry(int attempt, int maxRetries, Duration delay, String cause, long firstLine) {
    }
}
