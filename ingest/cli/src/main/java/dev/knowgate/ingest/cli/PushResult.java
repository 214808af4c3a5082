package dev.knowgate.ingest.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a push ended, with the totals of the whole push (a resumed run includes earlier runs).
 *
 * @param status              how it ended
 * @param input               the input file
 * @param stateFile           where progress was saved; null in a dry run
 * @param dryRun              whether it only validated
 * @param counts              totals over every run of this push
 * @param rejections          rejected and duplicate lines in line order (at most
 *                            {@link PushState#MAX_KEPT_REJECTIONS}; counts are exact beyond)
 * @param totalLines          physical lines in the input
 * @param linesHandled        every line up to this one is handled (what a resume continues after)
 * @param resumedAfterLine    0 for a fresh run, else the line this run resumed after
 * @param acceptedThisRun     examples accepted by this run alone
 * @param elapsed             how long this run took
 * @param message             why it stopped, for every status but COMPLETE; null otherwise
 * @param submission          the submission its requests named; null in a dry run
 */
public record PushResult(PushStatus status, Path input, Path stateFile, boolean dryRun, PushCounts counts,
                         List<Rejection> rejections, long totalLines, long linesHandled, long resumedAfterLine,
                         long acceptedThisRun, Duration elapsed, String message, String submission) {

    public static final int EXIT_OK = 0;
    public static final int EXIT_REJECTED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_AUTH = 3;
    public static final int EXIT_GAVE_UP = 4;
    public static final int EXIT_INTERRUPTED = 130;

    public PushResult {
        rejections = rejections == null ? List.of() : List.copyOf(rejections);
    }

    /**
     * knowgate-push's exit code: 0 all accepted (or valid, in a dry run; or already complete),
     * 1 some lines rejected or duplicate, 3 authentication or authorisation refused, 4 gave up
     * (retries exhausted, or a request refused for a reason other than its content), 130 interrupted.
     */
    public int exitCode() {
        return switch (status) {
            case COMPLETE -> counts.notAccepted() > 0 ? EXIT_REJECTED : EXIT_OK;
            case ALREADY_COMPLETE -> EXIT_OK;
            case INTERRUPTED -> EXIT_INTERRUPTED;
            case AUTH_FAILED -> EXIT_AUTH;
            case GAVE_UP, FAILED -> EXIT_GAVE_UP;
        };
    }

    /** Examples accepted per second by this run. */
    public double examplesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : acceptedThisRun / seconds;
    }
}
