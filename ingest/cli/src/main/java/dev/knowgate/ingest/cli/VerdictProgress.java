package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.SubmissionStatus;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What a person sees on stderr while knowgate-push --wait waits: a bar over the pushed examples
 * that have a verdict or a rejection (a terminal), else a line every 10 %; nothing with --quiet.
 */
final class VerdictProgress implements Consumer<SubmissionStatus>, AutoCloseable {

    private final PrintWriter err;
    private final long expected;
    private final boolean quiet;
    private ProgressBar bar;
    private int nextPercent = 10;

    VerdictProgress(PrintWriter err, PrintStream barStream, boolean drawBar, boolean quiet, String submission, long expected) {
        this.err = err;
        this.expected = Math.max(1, expected);
        this.quiet = quiet;
        if (!quiet) {
            err.println("knowgate-push: waiting for the verdicts of submission " + submission + " (" + expected + " examples)");
            err.flush();
        }
        if (drawBar && !quiet && barStream != null) {
            bar = new ProgressBarBuilder().setTaskName("verdicts").setInitialMax(this.expected)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" examples", 1)
                    .setUpdateIntervalMillis(250).startsFrom(0, Duration.ZERO)
                    .setConsumer(new ConsoleProgressBarConsumer(barStream)).build();
        }
    }

    @Override
    public void accept(SubmissionStatus s) {
        if (quiet) {
            return;
        }
        long done = Math.min(expected, s.categorized() + s.rejected());
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(" " + s.byRoute().values().stream().mapToLong(Long::longValue).sum() + " judged, "
                    + s.rejected() + " rejected");
            return;
        }
        int percent = (int) (done * 100 / expected);
        if (percent >= nextPercent) {
            nextPercent = percent / 10 * 10 + 10;
            err.println("knowgate-push: verdicts " + percent + "% (" + s.categorized() + " judged, " + s.rejected()
                    + " rejected, " + s.pending() + " pending)");
            err.flush();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
