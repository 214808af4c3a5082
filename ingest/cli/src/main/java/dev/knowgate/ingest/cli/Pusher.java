package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.Sleeper;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Pushes a JSONL or CSV file of examples into the ingest service's bulk endpoint, in batches,
 * with local validation, retries and resumable progress. The engine behind knowgate-push, usable
 * from any code (another module's tests drive it against the real service).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every line is read and checked exactly as the service would check it
 *       ({@code ContractJson.read(line, Example.class)}; CSV rows become the same Example).
 *       Invalid lines and lines repeating an earlier line's id are never sent.</li>
 *   <li>After every batch the service acknowledges (HTTP 202: all its lines are on Kafka), the
 *       progress is written atomically to the state file before the next batch is sent.</li>
 *   <li>{@link Cancellation#cancel()} or {@link Thread#interrupt()} of the pushing thread stops
 *       the push after the batch in flight has been answered and its progress saved; a resume
 *       (the same call again) sends exactly the lines after it.</li>
 *   <li>A hard kill while a batch is in flight can send that one batch again on resume. The
 *       service derives ids from content ({@code ExampleIds.of(question, answer)}) and this
 *       class sends every example with its id, so the repeat carries the same ids and Kafka keys,
 *       and downstream treats it as the same examples.</li>
 * </ul>
 *
 * <p>A 422 answer accepted nothing: the lines it names are recorded as rejected with the
 * service's reason and the rest of the batch is sent again. 401/403 stop the push. An
 * unreachable service, a timeout, 408, 429 and 5xx are retried with exponential backoff and
 * jitter, honouring Retry-After up to the longest wait. A 413 halves the batch.
 *
 * <p>One Pusher holds the service settings and may run any number of pushes, one at a time per
 * thread; it is thread-safe.
 */
public final class Pusher {

    /** The bulk endpoint's body limit. */
    public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
    public static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8081");

    private final URI url;
    private final Clock clock;
    private final BatchSender sender;

    private Pusher(Builder b) {
        this.url = b.url;
        this.clock = b.clock;
        this.sender = new BatchSender(b.url, new IngestClient(b.url, b.apiKey, b.connectTimeout, b.requestTimeout, b.httpClient),
                b.maxRetries, new Backoff(min(b.retryBaseDelay, b.retryMaxWait), b.retryMaxWait, Backoff.Jitter.EQUAL),
                b.random, b.sleeper, b.clock);
    }

    /** A pusher for the ingest service at {@code url} (e.g. {@code http://127.0.0.1:8081}). */
    public static Builder builder(URI url) {
        return new Builder(url);
    }

    public URI url() {
        return url;
    }

    /** {@link #push(PushOptions, Cancellation, PushListener)} without cancellation or listener. */
    public PushResult push(PushOptions options) throws PushException {
        return push(options, new Cancellation(), PushListener.NONE);
    }

    /**
     * Pushes {@code options.input()}, resuming saved progress unless {@code options.restart()}.
     * Returns when every line is handled, or when the push stops (cancelled, interrupted,
     * refused, out of retries): the result says which, and the state file holds the progress.
     * When the thread was interrupted, its interrupt status is set again on return.
     *
     * @throws PushException the input cannot be read, its CSV header is unusable, it changed since
     *                       the saved progress (use {@code withRestart(true)}), or the state file
     *                       cannot be read or written; nothing (more) was sent
     */
    public PushResult push(PushOptions options, Cancellation cancellation, PushListener listener) throws PushException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(cancellation, "cancellation");
        Run run = new Run(options, cancellation, listener == null ? PushListener.NONE : listener);
        try {
            return run.execute();
        } finally {
            if (run.interruptSeen) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One push: reads the file, plans batches, has {@link BatchSender} send them and {@link PushLedger} count them. */
    private final class Run implements BatchSender.Session {
        final PushOptions options;
        final Cancellation cancellation;
        final PushListener listener;
        final Instant started = clock.instant();
        final PushLedger ledger = new PushLedger();
        final Map<String, Long> seen = new HashMap<>();
        boolean interruptSeen;

        Path input;
        InputFormat format;
        Path stateFile;
        Fingerprint fingerprint;
        Instant firstStarted;
        long totalLines;
        long resumedAfter;
        int batchLimit;
        String submission;

        Run(PushOptions options, Cancellation cancellation, PushListener listener) {
            this.options = options;
            this.cancellation = cancellation;
            this.listener = listener;
            this.batchLimit = options.batchSize();
        }

        PushResult execute() throws PushException {
            input = options.input().toAbsolutePath().normalize();
            if (!Files.isRegularFile(input) || !Files.isReadable(input)) {
                throw new PushException("cannot read " + options.input() + ": "
                        + (Files.exists(input) ? "not a readable file" : "no such file"));
            }
            format = options.format() != null ? options.format() : InputFormat.fromFileName(input).orElseThrow(() ->
                    new PushException("cannot tell the format of " + options.input()
                            + " from its name: use .jsonl, .ndjson or .csv, or give --format jsonl|csv"));
            try {
                fingerprint = Fingerprint.of(input);
            } catch (IOException e) {
                throw new PushException("cannot read " + options.input() + ": " + e.getMessage(), e);
            }
            List<String> notes = new ArrayList<>();
            firstStarted = started;
            if (options.dryRun()) {
                return pushAndReport(notes);
            }
            stateFile = options.resolvedStateFile();
            try (StateLock ignored = StateLock.acquire(stateFile)) {
                return resumeAndPush(notes);
            }
        }

        private PushResult resumeAndPush(List<String> notes) throws PushException {
            Optional<PushState> saved = options.restart() ? Optional.empty() : PushState.read(stateFile);
            if (saved.isPresent()) {
                PushState state = saved.get();
                List<String> changed = state.input().differences(fingerprint);
                if (!changed.isEmpty()) {
                    throw new PushException(options.input() + " is not the file whose progress " + stateFile
                            + " holds (" + String.join("; ", changed) + "). If it changed on purpose, use --restart"
                            + " to push it from the first line (examples already accepted keep their ids,"
                            + " so sending them again is harmless)");
                }
                firstStarted = state.startedAt() != null ? state.startedAt() : started;
                ledger.restore(state);
                if (state.submission() != null && options.submission() != null && !state.submission().equals(options.submission())) {
                    throw new PushException("the saved progress of " + options.input() + " belongs to submission "
                            + state.submission() + ", not " + options.submission() + "; leave --submission out to resume it,"
                            + " or use --restart to push the file again as " + options.submission());
                }
                submission = state.submission();
                if (state.complete()) {
                    return result(PushStatus.ALREADY_COMPLETE, input + " was already pushed completely ("
                            + state.updatedAt() + "); use --restart to push it again");
                }
                resumedAfter = state.linesHandled();
                if (state.target() != null && !state.target().equals(url.toString())) {
                    notes.add("the saved progress went to " + state.target() + "; this run sends the rest to " + url);
                }
            }
            return pushAndReport(notes);
        }

        private PushResult pushAndReport(List<String> notes) throws PushException {
            if (submission == null && !options.dryRun()) {
                submission = options.submission() != null ? options.submission() : "push-" + UUID.randomUUID();
            }
            totalLines = countLines(input);
            try (ExampleReader reader = ExampleReader.open(input, format)) {
                notes.addAll(reader.notes());
                if (!options.dryRun()) {
                    save(PushState.IN_PROGRESS);
                }
                listener.started(new PushListener.Start(input, format, totalLines, resumedAfter, stateFile,
                        options.dryRun(), List.copyOf(notes)));
                listener.progress(ledger.linesHandled(), totalLines);
                PushStop stop = readAndSend(reader);
                if (stop != null) {
                    if (!options.dryRun()) {
                        save(PushState.IN_PROGRESS);
                    }
                    return result(stop.status(), stop.message());
                }
            } catch (IOException e) {
                throw new PushException("cannot read " + options.input() + " after line " + ledger.linesHandled() + ": "
                        + e.getMessage(), e);
            }
            if (!options.dryRun()) {
                save(PushState.COMPLETE);
            }
            listener.progress(Math.max(ledger.linesHandled(), totalLines), totalLines);
            return result(PushStatus.COMPLETE, null);
        }

        /** Reads every record after the saved progress, sending batches as they fill; the reason it stopped, or null. */
        private PushStop readAndSend(ExampleReader reader) throws IOException, PushException {
            PushBatch batch = new PushBatch();
            InputRecord record;
            while ((record = reader.next()) != null) {
                if (record.endLine() <= resumedAfter) {
                    // handled by an earlier run; its id still claims later duplicates
                    if (record.example() != null) {
                        seen.putIfAbsent(record.example().id(), record.startLine());
                    }
                    continue;
                }
                if (cancelled()) {
                    return interrupted();
                }
                PushBatch.Entry entry = entry(record);
                if (batch.full(entry, batchLimit, MAX_BODY_BYTES)) {
                    PushStop stop = flush(batch);
                    if (stop != null) {
                        return stop;
                    }
                    batch = new PushBatch();
                }
                batch.add(entry);
            }
            return batch.entries.isEmpty() ? null : flush(batch);
        }

        private PushBatch.Entry entry(InputRecord record) {
            if (record.problem() != null) {
                return new PushBatch.Entry(record.startLine(), record.endLine(), null, null, record.problem());
            }
            Example example = record.example();
            if (options.source() != null && example.source() == null) {
                example = example.withSource(options.source());
            }
            Long first = seen.putIfAbsent(example.id(), record.startLine());
            if (first != null) {
                return new PushBatch.Entry(record.startLine(), record.endLine(), example.id(), null,
                        new Rejection(record.startLine(), "id", Rejection.DUPLICATE,
                                "duplicate of line " + first + " (id " + example.id() + "); not sent", false));
            }
            return new PushBatch.Entry(record.startLine(), record.endLine(), example.id(), ContractJson.write(example), null);
        }

        /** Sends a full batch (splitting it on 413) and commits what the service acknowledged. */
        private PushStop flush(PushBatch batch) throws PushException {
            Deque<PushBatch> work = new ArrayDeque<>();
            work.push(batch);
            while (!work.isEmpty()) {
                PushBatch next = work.peek();
                if (options.dryRun() || next.sendable == 0) {
                    List<String> ids = next.toSend().stream().map(e -> e.id).toList();
                    commit(next, ids, 0, options.dryRun() && !ids.isEmpty());
                    work.pop();
                    continue;
                }
                if (cancelled()) {
                    return interrupted();
                }
                BatchSender.Sent sent = sender.send(next, this);
                if (sent instanceof BatchSender.Acknowledged ack) {
                    commit(next, ack.ids(), ack.requests(), ack.anyAccepted());
                    work.pop();
                } else if (sent instanceof BatchSender.Split split) {
                    batchLimit = split.batchLimit();
                    work.pop();
                    PushBatch[] halves = next.halves();
                    work.push(halves[1]);
                    work.push(halves[0]);
                } else {
                    return ((BatchSender.Stopped) sent).stop();
                }
            }
            return null;
        }

        private void commit(PushBatch batch, List<String> ids, int batchRequests, boolean acknowledged) throws PushException {
            List<Rejection> refused = ledger.commit(batch, acknowledged);
            if (!options.dryRun()) {
                save(PushState.IN_PROGRESS);
                if (acknowledged) {
                    listener.batchAcknowledged(new PushListener.Batch(ledger.batches(), batch.firstLine(), batch.lastLine(),
                            List.copyOf(ids), List.copyOf(refused), batchRequests, ledger.counts()));
                }
            }
            listener.progress(ledger.linesHandled(), totalLines);
        }

        private void save(String status) throws PushException {
            try {
                ledger.state(status, fingerprint, format, url, firstStarted, clock.instant(), submission).write(stateFile);
            } catch (IOException e) {
                throw new PushException("cannot save the progress to " + stateFile + " (" + e
                        + "); give a writable place with --state", e);
            }
        }

        @Override
        public PushLedger ledger() {
            return ledger;
        }

        @Override
        public String submission() {
            return submission;
        }

        @Override
        public PushListener listener() {
            return listener;
        }

        @Override
        public Cancellation cancellation() {
            return cancellation;
        }

        /** Polls the thread's interrupt status into the cancellation (clearing it, so file I/O keeps working). */
        @Override
        public boolean cancelled() {
            if (Thread.interrupted()) {
                noteInterrupt();
            }
            return cancellation.isCancelled();
        }

        @Override
        public void noteInterrupt() {
            interruptSeen = true;
            cancellation.cancel();
        }

        @Override
        public PushStop interrupted() {
            long handled = ledger.linesHandled();
            return new PushStop(PushStatus.INTERRUPTED, "interrupted; every line up to " + handled
                    + " is handled" + (stateFile == null ? "" : " and saved in " + stateFile
                    + "; run the same command again to resume at line " + (handled + 1)));
        }

        private PushResult result(PushStatus status, String message) {
            return new PushResult(status, input, stateFile, options.dryRun(), ledger.counts(), ledger.kept(), totalLines,
                    ledger.linesHandled(), resumedAfter, ledger.acceptedThisRun(), Duration.between(started, clock.instant()),
                    message, submission);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Physical lines: LF count, plus one for a last line without LF. Through FileInputStream (interrupt-proof). */
    static long countLines(Path file) throws PushException {
        long lines = 0;
        int last = '\n';
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = new FileInputStream(file.toFile())) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
                last = buffer[n - 1];
            }
        } catch (IOException e) {
            throw new PushException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return last == '\n' ? lines : lines + 1;
    }

    /** Settings of a {@link Pusher}; every one has a default. */
    public static final class Builder {
        private final URI url;
        private String apiKey;
        private int maxRetries = 8;
        private Duration retryBaseDelay = Duration.ofMillis(500);
        private Duration retryMaxWait = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper;
        private RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        private HttpClient httpClient;

        private Builder(URI url) {
            Objects.requireNonNull(url, "url");
            if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("the ingest URL must be http:// or https://, got " + url);
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("the ingest URL has no host: " + url);
            }
            this.url = url;
        }

        /** Sent as {@code Authorization: Bearer <key>}; never logged, never saved. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** Retries of one batch before giving up (default 8); 0 gives up at the first failure. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("max retries must be at least 0, got " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** The first retry's wait before jitter (default 500 ms); it doubles with every retry. */
        public Builder retryBaseDelay(Duration delay) {
            this.retryBaseDelay = positive(delay, "retry base delay");
            return this;
        }

        /** The longest wait between retries, Retry-After included (default 30 s). */
        public Builder retryMaxWait(Duration wait) {
            this.retryMaxWait = positive(wait, "retry max wait");
            return this;
        }

        /** How long one request may take, answer included (default 60 s); a timeout is retried. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** Timestamps in the state file, elapsed time, and "now" for Retry-After dates. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How retry waits are done (tests: record instead of sleeping). By default a wait ends early when the push
         * is cancelled; a sleeper set here is not told of the cancellation.
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Source of retry jitter. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** A client of one's own (TLS settings, proxy); by default an HTTP/1.1 client with the connect timeout. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        public Pusher build() {
            return new Pusher(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, got " + d);
            }
            return d;
        }
    }
}
