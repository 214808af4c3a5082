package dev.knowgate.ingest.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.time.Duration;

/**
 * What a person watching knowgate-push sees on stderr: a progress bar over the input's lines
 * when stderr is a terminal, otherwise a line every 10 %; notes, resume and retry messages.
 * Nothing at all with --quiet (the summary on stdout stays).
 */
final class ConsoleProgress implements PushListener, AutoCloseable {

    private final PrintWriter err;
    private final PrintStream barStream;
    private final boolean bar;
    private final boolean quiet;
    private ProgressBar progressBar;
    private long totalLines;
    private int nextPercent;
    private PushCounts latest;
    private boolean dryRun;

    /**
     * @param err       where messages go
     * @param barStream where the bar is drawn (System.err), or null for no bar
     * @param bar       draw a bar (a terminal, and --no-progress not given)
     * @param quiet     print nothing
     */
    ConsoleProgress(PrintWriter err, PrintStream barStream, boolean bar, boolean quiet) {
        this.err = err;
        this.barStream = barStream;
        this.bar = bar && !quiet && barStream != null;
        this.quiet = quiet;
    }

    /** Whether stderr is (most likely) a terminal: a console exists and, on Java 22+, says it is one. */
    static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException | RuntimeException olderJava) {
            return true; // before Java 22 a console exists only on a terminal
        }
    }

    @Override
    public void started(Start start) {
        totalLines = start.totalLines();
        dryRun = start.dryRun();
        if (quiet) {
            return;
        }
        for (String note : start.notes()) {
            say(note);
        }
        if (start.resumedAfterLine() > 0) {
            say("resuming at line " + (start.resumedAfterLine() + 1) + " of " + start.input().getFileName()
                    + " (progress saved in " + start.stateFile().getFileName() + "; --restart starts over)");
        }
        long done = Math.min(start.resumedAfterLine(), totalLines);
        nextPercent = totalLines == 0 ? 100 : (int) (done * 100 / totalLines / 10 * 10) + 10;
        if (bar) {
            progressBar = new ProgressBarBuilder()
                    .setTaskName(dryRun ? "checking" : "pushing")
                    .setInitialMax(Math.max(1, totalLines))
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUnit(" lines", 1)
                    .setUpdateIntervalMillis(250)
                    .startsFrom(done, Duration.ZERO)
                    .setConsumer(new ConsoleProgressBarConsumer(barStream))
                    .build();
        }
    }

    @Override
    public void batchAcknowledged(Batch batch) {
        latest = batch.totals();
        if (progressBar != null) {
            progressBar.setExtraMessage(" " + latest.accepted() + " accepted"
                    + (latest.notAccepted() > 0 ? ", " + latest.notAccepted() + " not" : ""));
        }
    }

    @Override
    public void retrying(Retry retry) {
        if (!quiet) {
            say(retry.cause() + "; retry " + retry.attempt() + " of " + retry.maxRetries() + " in " + Durations.format(retry.delay())
                    + " (batch from line " + retry.firstLine() + ")");
        }
    }

    @Override
    public void progress(long linesHandled, long total) {
        if (quiet) {
            return;
        }
        long shown = Math.min(linesHandled, total);
        if (progressBar != null) {
            progressBar.stepTo(shown);
            return;
        }
        if (total == 0) {
            return;
        }
        int percent = (int) (shown * 100 / total);
        if (percent >= nextPercent) {
            nextPercent = percent / 10 * 10 + 10;
            String counts = latest == null ? "" : ", " + latest.accepted() + " accepted, " + latest.notAccepted() + " not";
            say((dryRun ? "checked " : "pushed ") + percent + "% (line " + shown + " of " + total + counts + ")");
        }
    }

    private void say(String message) {
        err.println("knowgate-push: " + message);
        err.flush();
    }

    @Override
    public void close() {
        if (progressBar != null) {
            progressBar.close();
            progressBar = null;
        }
    }
}
