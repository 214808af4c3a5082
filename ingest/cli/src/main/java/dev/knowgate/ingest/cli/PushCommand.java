package dev.knowgate.ingest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * knowgate-push: the curators' command. A thin shell around {@link Pusher}: options, the
 * console, signals and exit codes.
 */
@Command(name = "knowgate-push",
        mixinStandardHelpOptions = true,
        versionProvider = PushCommand.VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Pushes supervised fine-tuning examples from a JSONL or CSV file into the knowgate ingest"
                + " service, in batches, after checking every line locally. Progress is saved after every acknowledged"
                + " batch; running the same command again resumes where it stopped.",
        footer = {"",
                "Input: JSONL (one Example JSON object per line; blank lines skipped) or CSV (a header row naming"
                        + " question and answer, optionally id, aliases, relation, subject, source, purpose;"
                        + " aliases separated by |).",
                "",
                "Every request names the push's submission (--submission, or one made up and kept with the progress);"
                        + " --wait then asks categorize-stream what became of it.",
                "",
                "Exit codes: 0 every line accepted (dry run: every line valid; or already complete), 1 some lines"
                        + " rejected or duplicate, 2 usage error or unreadable input or state, 3 API key refused"
                        + " (401/403), 4 gave up (service unreachable or failing through every retry, or a request"
                        + " refused), 5 --wait: not every example had a verdict or a rejection within --wait-timeout,"
                        + " 130 interrupted (progress saved; run again to resume)."})
public final class PushCommand implements Callable<Integer> {

    /** Internal error: a bug, reported with its stack trace. */
    static final int EXIT_INTERNAL = 70;
    /** --wait: the verdicts did not all come within --wait-timeout. */
    static final int EXIT_NOT_SETTLED = 5;

    @Parameters(index = "0", paramLabel = "FILE", description = "JSONL (.jsonl, .ndjson) or CSV (.csv) file of examples")
    Path file;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:KNOWGATE_INGEST_URL:-http://127.0.0.1:8081}",
            description = "ingest service base URL (env KNOWGATE_INGEST_URL; default ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:KNOWGATE_API_KEY}",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            description = "API key, sent as Authorization: Bearer (env KNOWGATE_API_KEY; never printed or saved)")
    String apiKey;

    @Option(names = "--format", paramLabel = "jsonl|csv", converter = FormatConverter.class,
            description = "input format (default: from the file extension)")
    InputFormat format;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "" + PushOptions.DEFAULT_BATCH_SIZE,
            description = "examples per request, 1 to " + PushOptions.MAX_BATCH_SIZE + " (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--source", paramLabel = "TEXT",
            description = "source stamped on every example that has none (e.g. curation-batch-2026-05-04)")
    String source;

    @Option(names = "--state", paramLabel = "FILE",
            description = "progress file (default: FILE.push-state.json next to the input)")
    Path state;

    @Option(names = "--submission", paramLabel = "ID",
            description = "the submission the examples belong to (letters, digits, '.', '_', '-'); default: a new one,"
                    + " kept with the progress so that a resumed push continues it")
    String submission;

    @Option(names = "--wait", description = "after the push, wait until categorize-stream has a verdict or a rejection"
            + " for every pushed example, and print the breakdown by category, route and version")
    boolean await;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "give up waiting for the verdicts after this long (exit 5; default ${DEFAULT-VALUE})")
    Duration waitTimeout;

    @Option(names = "--report", paramLabel = "FILE",
            description = "with --wait (implied): write each example's outcome as one JSON line (exampleId, question,"
                    + " answer, state, category, pGreedy, pSampled, model, route, evidence, reason, detail, at)")
    Path report;

    @Option(names = "--categorize-url", paramLabel = "URL",
            defaultValue = "${env:KNOWGATE_CATEGORIZE_URL:-http://127.0.0.1:8082}",
            description = "categorize-stream base URL, for --wait (env KNOWGATE_CATEGORIZE_URL; default ${DEFAULT-VALUE})")
    String categorizeUrl;

    @Option(names = "--dry-run", description = "check every line locally and print the summary; send nothing")
    boolean dryRun;

    @Option(names = "--restart", description = "ignore saved progress and push from the first line")
    boolean restart;

    @Option(names = "--max-retries", paramLabel = "N", defaultValue = "8",
            description = "retries of a batch while the service is unreachable, times out or answers 5xx (default ${DEFAULT-VALUE})")
    int maxRetries;

    @Option(names = "--retry-max-wait", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "longest wait between retries, Retry-After included (default ${DEFAULT-VALUE})")
    Duration retryMaxWait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "longest wait for one request's answer (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--no-progress", description = "no progress bar; a line every 10%% instead")
    boolean noProgress;

    @Option(names = {"-q", "--quiet"}, description = "no progress, notes or retry messages; only the summary and errors")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "list every rejected line in the summary, not the first "
            + Summary.SHOWN_REJECTIONS)
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final UnaryOperator<Pusher.Builder> tuning;
    private final boolean handleSignals;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile int exitCode = PushResult.EXIT_INTERRUPTED;

    public PushCommand() {
        this(UnaryOperator.identity(), false);
    }

    /**
     * @param tuning        adjusts the Pusher (tests: a recording sleeper, a fixed clock)
     * @param handleSignals install a shutdown hook so SIGINT/SIGTERM stop the push cleanly (main only)
     */
    PushCommand(UnaryOperator<Pusher.Builder> tuning, boolean handleSignals) {
        this.tuning = tuning;
        this.handleSignals = handleSignals;
    }

    public static void main(String[] args) {
        PushCommand command = new PushCommand(UnaryOperator.identity(), true);
        int code = commandLine(command).execute(args);
        command.exitCode = code;
        command.finished.countDown();
        System.exit(code);
    }

    /** The configured picocli command line around {@code command}. */
    public static CommandLine commandLine(PushCommand command) {
        CommandLine cli = new CommandLine(command);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("knowgate-push: internal error: " + e);
            e.printStackTrace(commandLine.getErr());
            return EXIT_INTERNAL;
        });
        return cli;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Pusher pusher = pusher();
        PushOptions options;
        try {
            options = new PushOptions(file, format, state, batchSize, source, restart, dryRun, submission);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }

        boolean waiting = await || report != null;
        if (waiting && dryRun) {
            throw new ParameterException(spec.commandLine(), "--wait and --report need a real push, not --dry-run");
        }
        VerdictWaiter waiter = waiting ? waiter() : null;

        Cancellation cancellation = new Cancellation();
        Thread hook = handleSignals ? shutdownHook(cancellation, err, options) : null;
        PushResult result;
        boolean bar = !noProgress && ConsoleProgress.terminal();
        try (ConsoleProgress progress = new ConsoleProgress(err, bar ? System.err : null, bar, quiet)) {
            if (hook != null) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                result = pusher.push(options, cancellation, progress);
            } finally {
                progress.close();
                removeHook(hook);
            }
        } catch (PushException e) {
            err.println("knowgate-push: " + e.getMessage());
            err.flush();
            return PushException.EXIT_CODE;
        }

        out.print(Summary.format(result, pusher.url(), verbose));
        out.flush();
        if (result.message() != null) {
            (result.status() == PushStatus.ALREADY_COMPLETE ? out : err).println("knowgate-push: " + result.message());
        }
        out.flush();
        err.flush();
        boolean pushed = result.status() == PushStatus.COMPLETE || result.status() == PushStatus.ALREADY_COMPLETE;
        if (waiter == null || !pushed || result.submission() == null) {
            return result.exitCode();
        }
        int waited = awaitVerdicts(waiter, result, out, err);
        return waited != PushResult.EXIT_OK ? waited : result.exitCode();
    }

    /** --wait and --report: categorize-stream's account of the submission, after the push. */
    private int awaitVerdicts(VerdictWaiter waiter, PushResult result, PrintWriter out, PrintWriter err) {
        long expected = result.counts().accepted();
        boolean bar = !noProgress && ConsoleProgress.terminal();
        VerdictWaiter.Outcome outcome;
        try (VerdictProgress progress = new VerdictProgress(err, bar ? System.err : null, bar, quiet, result.submission(), expected)) {
            outcome = waiter.await(result.submission(), expected, waitTimeout, progress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("knowgate-push: interrupted while waiting for the verdicts (the push itself is complete)");
            err.flush();
            return PushResult.EXIT_INTERRUPTED;
        }
        if (outcome instanceof VerdictWaiter.Refused refused) {
            err.println("knowgate-push: --wait: " + refused.why());
            err.flush();
            return PushResult.EXIT_AUTH;
        }
        if (outcome instanceof VerdictWaiter.TimedOut timedOut) {
            if (timedOut.last() != null) {
                out.print(Summary.verdicts(timedOut.last(), false));
                out.flush();
            }
            err.println("knowgate-push: --wait: gave up after " + Durations.format(waitTimeout) + ": " + timedOut.why());
            err.flush();
            return EXIT_NOT_SETTLED;
        }
        out.print(Summary.verdicts(((VerdictWaiter.Settled) outcome).status(), true));
        if (report != null) {
            try {
                long lines = waiter.report(result.submission(), report);
                out.println("report: " + report + " (" + lines + " examples, one JSON line each)");
            } catch (java.io.IOException | RuntimeException e) {
                out.flush();
                err.println("knowgate-push: --report: cannot write " + report + ": " + e.getMessage());
                err.flush();
                return PushResult.EXIT_GAVE_UP;
            }
        }
        out.flush();
        return PushResult.EXIT_OK;
    }

    private VerdictWaiter waiter() {
        URI uri;
        try {
            uri = new URI(categorizeUrl.strip());
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--categorize-url: not a URL: " + categorizeUrl);
        }
        return new VerdictWaiter(uri, apiKey, Duration.ofSeconds(10), java.time.Clock.systemUTC(),
                dev.knowgate.resilience.Sleeper.THREAD);
    }

    private Pusher pusher() {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--url: not a URL: " + url);
        }
        if (maxRetries < 0) {
            throw new ParameterException(spec.commandLine(), "--max-retries must be at least 0, got " + maxRetries);
        }
        try {
            Pusher.Builder builder = Pusher.builder(uri)
                    .apiKey(apiKey)
                    .maxRetries(maxRetries)
                    .retryMaxWait(retryMaxWait)
                    .requestTimeout(timeout);
            return tuning.apply(builder).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * On SIGINT/SIGTERM: cancel, wait until the batch in flight is answered, the progress saved
     * and the summary printed (main counts {@link #finished} down), then end the JVM with
     * the push's exit code (130 when it was interrupted).
     */
    private Thread shutdownHook(Cancellation cancellation, PrintWriter err, PushOptions options) {
        Duration grace = timeout.plusSeconds(30);
        return new Thread(() -> {
            err.println();
            err.println("knowgate-push: stopping: waiting for the batch in flight, then saving progress"
                    + (options.dryRun() ? "" : " to " + options.resolvedStateFile()));
            err.flush();
            cancellation.cancel();
            try {
                if (!finished.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    err.println("knowgate-push: gave up waiting after " + Durations.format(grace)
                            + "; the batch in flight may be sent again on resume (same ids, harmless)");
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            err.flush();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(exitCode);
        }, "knowgate-push-shutdown");
    }

    private static void removeHook(Thread hook) {
        if (hook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs: it waits for main to finish, then ends the JVM with the exit code
        }
    }

    /** "jsonl", "ndjson" or "csv", in any case. */
    static final class FormatConverter implements CommandLine.ITypeConverter<InputFormat> {
        @Override
        public InputFormat convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "jsonl", "ndjson" -> InputFormat.JSONL;
                case "csv" -> InputFormat.CSV;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a format: use jsonl or csv");
            };
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"knowgate-push " + Version.get()};
        }
    }
}
