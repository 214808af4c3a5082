package dev.knowgate.ingest.cli;

import dev.knowgate.ingest.cli.FakeIngest.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pushes against a fake bulk endpoint: the protocol behaviour the real service cannot be made to show on demand. */
@Timeout(60)
class PusherTest {

    private static final String KEY = "kg-secret-key-123";

    @TempDir
    Path dir;

    private FakeIngest fake;
    /** Retry waits asked for; nobody actually sleeps. */
    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        fake = new FakeIngest();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private Pusher.Builder pusher(URI url) {
        return Pusher.builder(url).apiKey(KEY).maxRetries(3)
                .retryBaseDelay(Duration.ofMillis(100)).retryMaxWait(Duration.ofSeconds(5))
                .sleeper(waits::add);
    }

    private Pusher pusher() {
        return pusher(fake.url()).build();
    }

    private Path examples(String name, int n) throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            out.append("{\"question\":\"Q").append(i).append("\",\"answer\":\"A").append(i).append("\"}\n");
        }
        Path file = dir.resolve(name);
        Files.writeString(file, out, StandardCharsets.UTF_8);
        return file;
    }

    private static List<String> questions(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "Q" + i).toList();
    }

    private void assertEveryLineAcceptedExactlyOnce(int n) {
        Map<String, Integer> accepted = fake.acceptedCounts();
        assertThat(accepted.keySet()).containsExactlyElementsOf(questions(1, n));
        assertThat(accepted.values()).containsOnly(1);
    }

    @Test
    void pushesInBatchesWithTheKeyAndSavesCompletion() throws Exception {
        Path file = examples("data.jsonl", 25);
        List<PushListener.Batch> acks = new ArrayList<>();

        PushResult result = pusher().push(PushOptions.of(file).withBatchSize(10), new Cancellation(), new PushListener() {
            @Override
            public void batchAcknowledged(Batch batch) {
                acks.add(batch);
            }
        });

        assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(result.exitCode()).isZero();
        assertThat(result.counts().accepted()).isEqualTo(25);
        assertThat(result.counts().batches()).isEqualTo(3);
        assertThat(fake.requests()).extracting(r -> r.lines().size()).containsExactly(10, 10, 5);
        assertThat(fake.requests()).allSatisfy(r -> {
            assertThat(r.authorization()).isEqualTo("Bearer " + KEY);
            assertThat(r.contentType()).isEqualTo("application/x-ndjson");
        });
        // every example goes with its content-derived id, so a repeat keys to the same Kafka key
        assertThat(fake.requests().get(0).lines().get(0).path("id").asText())
                .isEqualTo(dev.knowgate.contracts.ExampleIds.of("Q1", "A1"));
        assertThat(acks).extracting(PushListener.Batch::number, PushListener.Batch::firstLine, PushListener.Batch::lastLine)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 1L, 10L),
                        org.assertj.core.groups.Tuple.tuple(2L, 11L, 20L),
                        org.assertj.core.groups.Tuple.tuple(3L, 21L, 25L));
        assertThat(acks.get(0).ids()).hasSize(10).allMatch(id -> id.startsWith("ex-"));
        assertEveryLineAcceptedExactlyOnce(25);

        Path stateFile = PushState.defaultFileFor(file);
        assertThat(stateFile.getFileName().toString()).isEqualTo("data.jsonl.push-state.json");
        PushState state = PushState.read(stateFile).orElseThrow();
        assertThat(state.status()).isEqualTo(PushState.COMPLETE);
        assertThat(state.linesHandled()).isEqualTo(25);
        assertThat(state.input().path()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(state.input().size()).isEqualTo(Files.size(file));
        assertThat(Files.readString(stateFile)).doesNotContain(KEY);
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }

        PushResult again = pusher().push(PushOptions.of(file));
        assertThat(again.status()).isEqualTo(PushStatus.ALREADY_COMPLETE);
        assertThat(again.exitCode()).isZero();
        assertThat(again.message()).contains("already pushed completely").contains("--restart");
        assertThat(fake.requests()).hasSize(3);

        PushResult restarted = pusher().push(PushOptions.of(file).withRestart(true).withBatchSize(100));
        assertThat(restarted.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(restarted.counts().accepted()).isEqualTo(25);
        assertThat(fake.requests()).hasSize(4);
    }

    /**
     * Every request of a push names one submission: a new one for a fresh push, kept with the
     * progress so that a resumed push continues it, or the one the curator names; naming another
     * than the saved one is refused rather than splitting the file over two submissions.
     */
    @Test
    void everyRequestOfAPushNamesItsSubmissionAndAResumeContinuesIt() throws Exception {
        Path file = examples("sub.jsonl", 25);
        fake.then(Reply::accepted).otherwise(r -> Reply.problem(503, "Service Unavailable", "broker down", Map.of()));
        PushResult stopped = pusher().push(PushOptions.of(file).withBatchSize(10));
        assertThat(stopped.status()).isEqualTo(PushStatus.GAVE_UP);
        String submission = stopped.submission();
        assertThat(submission).startsWith("push-");
        assertThat(PushState.read(PushState.defaultFileFor(file)).orElseThrow().submission()).isEqualTo(submission);

        fake.otherwise(Reply::accepted);
        assertThatThrownBy(() -> pusher().push(PushOptions.of(file).withBatchSize(10).withSubmission("other")))
                .isInstanceOf(PushException.class).hasMessageContaining("belongs to submission " + submission);
        PushResult resumed = pusher().push(PushOptions.of(file).withBatchSize(10));
        assertThat(resumed.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(resumed.submission()).isEqualTo(submission);
        assertThat(fake.requests()).extracting(FakeIngest.Request::submission).containsOnly(submission);

        PushResult named = pusher().push(PushOptions.of(file).withRestart(true).withSubmission("birthplaces-2026"));
        assertThat(named.submission()).isEqualTo("birthplaces-2026");
        assertThat(fake.requests().get(fake.requests().size() - 1).submission()).isEqualTo("birthplaces-2026");
        assertThatThrownBy(() -> PushOptions.of(file).withSubmission("has space"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("submission ");
        assertThat(pusher().push(PushOptions.of(file).withRestart(true).withDryRun(true)).submission()).isNull();
    }

    @Test
    void retriesA503HonouringRetryAfterThenSucceeds() throws Exception {
        Path file = examples("data.jsonl", 5);
        fake.then(r -> Reply.problem(503, "Service Unavailable", "broker unavailable", Map.of("Retry-After", "2")))
                .then(r -> Reply.problem(502, "Bad Gateway", null, Map.of()));
        List<PushListener.Retry> retries = new ArrayList<>();

        PushResult result = pusher().push(PushOptions.of(file), new Cancellation(), new PushListener() {
            @Override
            public void retrying(Retry retry) {
                retries.add(retry);
            }
        });

        assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(result.counts().retries()).isEqualTo(2);
        assertThat(result.counts().requests()).isEqualTo(3);
        assertThat(result.counts().batches()).isEqualTo(1);
        assertThat(waits.get(0)).isEqualTo(Duration.ofSeconds(2));                         // Retry-After honoured
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200)); // backoff 200 ms, jittered
        assertThat(retries.get(0).cause()).contains("503").contains("broker unavailable");
        assertEveryLineAcceptedExactlyOnce(5);
    }

    @Test
    void retryAfterIsCappedByTheLongestWaitAndBackoffGrows() throws Exception {
        Path file = examples("data.jsonl", 1);
        for (int i = 0; i < 3; i++) {
            fake.then(r -> Reply.problem(500, "Internal Server Error", null, Map.of()));
        }
        fake.then(r -> Reply.problem(503, "Service Unavailable", null, Map.of("Retry-After", "3600")));

        PushResult result = pusher(fake.url()).maxRetries(5).random(new java.util.Random(1)).build().push(PushOptions.of(file));

        assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(waits).hasSize(4);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(waits.get(2)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(waits.get(3)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void givesUpAfterTheLastRetryAndKeepsTheProgress() throws Exception {
        Path file = examples("data.jsonl", 30);
        fake.then(Reply::accepted).otherwise(r -> Reply.problem(503, "Service Unavailable", "broker down", Map.of()));

        PushResult result = pusher().push(PushOptions.of(file).withBatchSize(10));

        assertThat(result.status()).isEqualTo(PushStatus.GAVE_UP);
        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.message()).contains("lines 11-20").contains("after 3 retries").contains("503");
        assertThat(waits).hasSize(3);
        assertThat(fake.requests()).hasSize(5);
        PushState state = PushState.read(PushState.defaultFileFor(file)).orElseThrow();
        assertThat(state.status()).isEqualTo(PushState.IN_PROGRESS);
        assertThat(state.linesHandled()).isEqualTo(10);
        assertThat(state.counts().accepted()).isEqualTo(10);
        assertThat(state.counts().retries()).isEqualTo(3);

        fake.otherwise(Reply::accepted);
        PushResult resumed = pusher().push(PushOptions.of(file).withBatchSize(10));
        assertThat(resumed.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(resumed.resumedAfterLine()).isEqualTo(10);
        assertThat(resumed.counts().accepted()).isEqualTo(30);
        assertEveryLineAcceptedExactlyOnce(30);
    }

    @Test
    void unauthorisedStopsAtOnceWithoutLeakingTheKey() throws Exception {
        Path file = examples("data.jsonl", 20);
        fake.otherwise(r -> Reply.problem(401, "Unauthorized", "unknown API key", Map.of()));

        PushResult result = pusher().push(PushOptions.of(file).withBatchSize(10));

        assertThat(result.status()).isEqualTo(PushStatus.AUTH_FAILED);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.message()).contains("refused the API key").contains("unknown API key").doesNotContain(KEY);
        assertThat(fake.requests()).hasSize(1);
        assertThat(waits).isEmpty();
        PushState state = PushState.read(PushState.defaultFileFor(file)).orElseThrow();
        assertThat(state.linesHandled()).isZero();
        assertThat(Files.readString(PushState.defaultFileFor(file))).doesNotContain(KEY);
    }

    @Test
    void forbiddenIsAnAuthFailureToo() throws Exception {
        Path file = examples("data.jsonl", 3);
        fake.otherwise(r -> Reply.problem(403, "Forbidden", "key lacks the ingest right", Map.of()));

        PushResult result = pusher(fake.url()).apiKey(null).build().push(PushOptions.of(file));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.message()).contains("403").contains("key lacks the ingest right");
        assertThat(fake.requests().get(0).authorization()).isNull();
    }

    @Test
    void unprocessableLinesAreRejectedAndTheRestOfTheBatchResent() throws Exception {
        Path file = examples("data.jsonl", 6);
        // the server refuses request lines 2 and 5 (file lines 2 and 5) and accepts nothing of that request
        fake.then(r -> Reply.unprocessable("forbidden_purpose", "purpose", 2, 5));

        PushResult result = pusher().push(PushOptions.of(file));

        assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(fake.requests()).hasSize(2);
        assertThat(fake.requests().get(0).questions()).containsExactlyElementsOf(questions(1, 6));
        assertThat(fake.requests().get(1).questions()).containsExactly("Q1", "Q3", "Q4", "Q6");
        assertThat(result.counts().accepted()).isEqualTo(4);
        assertThat(result.counts().rejected()).isEqualTo(2);
        assertThat(result.counts().rejectedByReason()).containsExactly(Map.entry("forbidden_purpose", 2L));
        assertThat(result.counts().retries()).isZero();
        assertThat(result.rejections()).extracting(Rejection::describe).containsExactly(
                "line 2: field purpose: the key may not submit this purpose [forbidden_purpose, refused by the service]",
                "line 5: field purpose: the key may not submit this purpose [forbidden_purpose, refused by the service]");
    }

    @Test
    void serverLineNumbersCountOnlyTheLinesSent() throws Exception {
        // file lines 2 (invalid) and 4 (duplicate of 1) are never sent: request line 3 is file line 5
        Path file = dir.resolve("data.jsonl");
        Files.writeString(file, """
                {"question":"Q1","answer":"A1"}
                {"question":"Q2"}
                {"question":"Q3","answer":"A3"}
                {"question":"Q1","answer":"A1"}
                {"question":"Q5","answer":"A5"}
                """);
        fake.then(r -> Reply.unprocessable("forbidden_purpose", "purpose", 3));

        PushResult result = pusher().push(PushOptions.of(file));

        assertThat(result.rejections()).extracting(Rejection::line, Rejection::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, "missing_field"),
                org.assertj.core.groups.Tuple.tuple(4L, "duplicate"),
                org.assertj.core.groups.Tuple.tuple(5L, "forbidden_purpose"));
        assertThat(fake.requests().get(1).questions()).containsExactly("Q1", "Q3");
    }

    @Test
    void tooLargeHalvesTheBatch() throws Exception {
        Path file = examples("data.jsonl", 8);
        fake.then(r -> Reply.problem(413, "Payload Too Large", null, Map.of()));

        PushResult result = pusher().push(PushOptions.of(file));

        assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(fake.requests()).extracting(r -> r.lines().size()).containsExactly(8, 4, 4);
        assertThat(result.counts().batches()).isEqualTo(2);
        assertEveryLineAcceptedExactlyOnce(8);
    }

    @Test
    void connectionRefusedThenTheServiceComesUp() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path file = examples("data.jsonl", 4);
        AtomicReference<FakeIngest> late = new AtomicReference<>();
        List<PushListener.Retry> retries = new ArrayList<>();
        Pusher pusher = Pusher.builder(URI.create("http://127.0.0.1:" + port)).apiKey(KEY).maxRetries(3)
                .sleeper(d -> {
                    if (late.get() == null) {
                        try {
                            late.set(new FakeIngest(port)); // the service starts during the first wait
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }).build();
        try {
            PushResult result = pusher.push(PushOptions.of(file), new Cancellation(), new PushListener() {
                @Override
                public void retrying(Retry retry) {
                    retries.add(retry);
                }
            });

            assertThat(result.status()).isEqualTo(PushStatus.COMPLETE);
            assertThat(result.counts().retries()).isEqualTo(1);
            assertThat(retries.get(0).cause()).contains("cannot connect to 127.0.0.1:" + port);
            assertThat(late.get().acceptedCounts().keySet()).containsExactlyElementsOf(questions(1, 4));
        } finally {
            if (late.get() != null) {
                late.get().close();
            }
        }
    }

    @Test
    void anUnresolvableHostIsNamedAsSuchNotAsARefusedConnection() throws Exception {
        Path file = examples("data.jsonl", 2);
        // .invalid never resolves (RFC 6761): the lookup fails locally, nothing is sent anywhere.
        Pusher pusher = Pusher.builder(URI.create("http://no-such-host.invalid:8081")).apiKey(KEY).maxRetries(1)
                .sleeper(d -> { }).build();

        PushResult result = pusher.push(PushOptions.of(file));

        assertThat(result.status()).isEqualTo(PushStatus.GAVE_UP);
        assertThat(result.message()).contains("cannot resolve host no-such-host.invalid")
                .doesNotContain("refused");
    }

    @Test
    void notFoundIsAFailureNotARetry() throws Exception {
        Path file = examples("data.jsonl", 2);
        Pusher wrongPath = pusher(URI.create(fake.url() + "/nothing-here")).build();

        PushResult result = wrongPath.push(PushOptions.of(file));

        assertThat(result.status()).isEqualTo(PushStatus.FAILED);
        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.message()).contains("404").contains("--url");
        assertThat(waits).isEmpty();
    }

    @Test
    void cancelledBetweenBatchesResumesWithExactlyTheRemainingLines() throws Exception {
        Path file = examples("data.jsonl", 95);
        Cancellation cancellation = new Cancellation();
        List<PushListener.Start> starts = new ArrayList<>();

        PushResult first = pusher().push(PushOptions.of(file).withBatchSize(10), cancellation, new PushListener() {
            @Override
            public void batchAcknowledged(Batch batch) {
                if (batch.number() == 4) {
                    cancellation.cancel();
                }
            }
        });

        assertThat(first.status()).isEqualTo(PushStatus.INTERRUPTED);
        assertThat(first.exitCode()).isEqualTo(130);
        assertThat(first.linesHandled()).isEqualTo(40);
        assertThat(first.message()).contains("resume at line 41");
        assertThat(fake.requests()).hasSize(4);
        PushState saved = PushState.read(PushState.defaultFileFor(file)).orElseThrow();
        assertThat(saved.linesHandled()).isEqualTo(40);
        assertThat(saved.counts().accepted()).isEqualTo(40);
        assertThat(saved.counts().batches()).isEqualTo(4);

        PushResult second = pusher().push(PushOptions.of(file).withBatchSize(10), new Cancellation(), new PushListener() {
            @Override
            public void started(Start start) {
                starts.add(start);
            }
        });

        assertThat(second.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(starts.get(0).resumedAfterLine()).isEqualTo(40);
        assertThat(second.resumedAfterLine()).isEqualTo(40);
        assertThat(second.counts().accepted()).isEqualTo(95);
        assertThat(second.counts().batches()).isEqualTo(10);
        assertThat(second.acceptedThisRun()).isEqualTo(55);
        assertThat(fake.requests().get(4).questions().get(0)).isEqualTo("Q41");
        assertEveryLineAcceptedExactlyOnce(95);
    }

    @Test
    void duplicatesAcrossTheResumeBoundaryAreStillDuplicates() throws Exception {
        Path file = dir.resolve("data.jsonl");
        Files.writeString(file, """
                {"question":"Q1","answer":"A1"}
                {"question":"Q2","answer":"A2"}
                {"question":"Q3","answer":"A3"}
                {"question":"q1","answer":"a1"}
                """);
        Cancellation cancellation = new Cancellation();
        pusher().push(PushOptions.of(file).withBatchSize(2), cancellation, new PushListener() {
            @Override
            public void batchAcknowledged(Batch batch) {
                cancellation.cancel();
            }
        });

        PushResult resumed = pusher().push(PushOptions.of(file).withBatchSize(2));

        assertThat(resumed.counts().accepted()).isEqualTo(3);
        assertThat(resumed.counts().duplicates()).isEqualTo(1);
        assertThat(resumed.rejections()).singleElement().satisfies(r -> assertThat(r.message()).contains("line 1"));
    }

    @Test
    void threadInterruptLetsTheBatchInFlightFinishAndSavesIt() throws Exception {
        Path file = examples("data.jsonl", 50);
        CountDownLatch secondArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        fake.then(Reply::accepted).then(r -> {
            secondArrived.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.accepted(r);
        });
        AtomicReference<PushResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> interruptRestored = new AtomicReference<>();
        Thread pushing = new Thread(() -> {
            try {
                result.set(pusher().push(PushOptions.of(file).withBatchSize(10), new Cancellation(), PushListener.NONE));
                interruptRestored.set(Thread.currentThread().isInterrupted());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        pushing.start();

        assertThat(secondArrived.await(20, TimeUnit.SECONDS)).isTrue();
        pushing.interrupt();     // while batch 2 is in flight
        Thread.sleep(200);
        release.countDown();     // the service answers after the interrupt
        pushing.join(20_000);

        assertThat(failure.get()).isNull();
        assertThat(result.get().status()).isEqualTo(PushStatus.INTERRUPTED);
        assertThat(result.get().linesHandled()).isEqualTo(20);
        assertThat(interruptRestored.get()).isTrue();
        assertThat(fake.requests()).hasSize(2);
        assertThat(PushState.read(PushState.defaultFileFor(file)).orElseThrow().linesHandled()).isEqualTo(20);

        PushResult resumed = pusher().push(PushOptions.of(file).withBatchSize(10));
        assertThat(resumed.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(fake.requests()).hasSize(5);
        assertEveryLineAcceptedExactlyOnce(50);
    }

    @Test
    void cancellingEndsARetryWaitAndTheUnacknowledgedBatchIsSentOnResume() throws Exception {
        Path file = examples("data.jsonl", 20);
        fake.then(Reply::accepted).otherwise(r -> Reply.problem(503, "Service Unavailable", null, Map.of("Retry-After", "600")));
        Cancellation cancellation = new Cancellation();
        // the real, cancellable wait: cancelled from another thread 200 ms into a 10-minute wait
        Pusher pusher = Pusher.builder(fake.url()).apiKey(KEY).retryMaxWait(Duration.ofMinutes(10)).build();
        Thread canceller = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                return;
            }
            cancellation.cancel();
        });
        canceller.start();
        long start = System.nanoTime();

        PushResult result = pusher.push(PushOptions.of(file).withBatchSize(10), cancellation, PushListener.NONE);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(result.status()).isEqualTo(PushStatus.INTERRUPTED);
        assertThat(result.linesHandled()).isEqualTo(10);

        fake.otherwise(Reply::accepted);
        pusher.push(PushOptions.of(file).withBatchSize(10));
        assertEveryLineAcceptedExactlyOnce(20);
    }

    @Test
    void aChangedFileIsRefusedUnlessRestarted() throws Exception {
        Path file = examples("data.jsonl", 30);
        Cancellation cancellation = new Cancellation();
        pusher().push(PushOptions.of(file).withBatchSize(10), cancellation, new PushListener() {
            @Override
            public void batchAcknowledged(Batch batch) {
                cancellation.cancel();
            }
        });
        Files.writeString(file, "{\"question\":\"Q31\",\"answer\":\"A31\"}\n", java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> pusher().push(PushOptions.of(file).withBatchSize(10)))
                .isInstanceOf(PushException.class)
                .hasMessageContaining("--restart")
                .hasMessageContaining("size");
        assertThat(fake.requests()).hasSize(1);

        // only the modification time differs: still another file as far as resuming goes
        Path other = examples("other.jsonl", 3);
        Cancellation c2 = new Cancellation();
        c2.cancel();
        pusher().push(PushOptions.of(other), c2, PushListener.NONE);
        Files.setLastModifiedTime(other, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertThatThrownBy(() -> pusher().push(PushOptions.of(other)))
                .isInstanceOf(PushException.class).hasMessageContaining("modified");

        PushResult restarted = pusher().push(PushOptions.of(file).withBatchSize(10).withRestart(true));
        assertThat(restarted.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(restarted.resumedAfterLine()).isZero();
        assertThat(restarted.counts().accepted()).isEqualTo(31);
    }

    @Test
    void explicitStateFileAndUnreadableState() throws Exception {
        Path file = examples("data.jsonl", 3);
        Path stateFile = dir.resolve("elsewhere/progress.json");
        Files.createDirectories(stateFile.getParent());

        pusher().push(PushOptions.of(file).withStateFile(stateFile));

        assertThat(PushState.read(stateFile).orElseThrow().complete()).isTrue();
        assertThat(Files.exists(PushState.defaultFileFor(file))).isFalse();

        Files.writeString(stateFile, "{\"not\":\"a state\"}");
        assertThatThrownBy(() -> pusher().push(PushOptions.of(file).withStateFile(stateFile)))
                .isInstanceOf(PushException.class).hasMessageContaining("--restart");
        assertThatThrownBy(() -> pusher().push(PushOptions.of(file).withStateFile(dir.resolve("no/such/dir/state.json"))))
                .isInstanceOf(PushException.class).hasMessageContaining("--state");
    }

    @Test
    void aSecondPushOfTheSameFileAtTheSameTimeIsRefused() throws Exception {
        Path file = examples("data.jsonl", 3);
        try (StateLock held = StateLock.acquire(PushState.defaultFileFor(file))) {
            assertThatThrownBy(() -> pusher().push(PushOptions.of(file)))
                    .isInstanceOf(PushException.class).hasMessageContaining("another knowgate-push");
        }
        assertThat(pusher().push(PushOptions.of(file)).status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(Files.exists(dir.resolve("data.jsonl.push-state.json.lock"))).isFalse();
    }
}
