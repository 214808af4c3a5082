package dev.knowgate.ingest;

import dev.knowgate.contracts.ExampleIds;
import dev.knowgate.ingest.cli.Cancellation;
import dev.knowgate.ingest.cli.PushListener;
import dev.knowgate.ingest.cli.PushOptions;
import dev.knowgate.ingest.cli.PushResult;
import dev.knowgate.ingest.cli.PushStatus;
import dev.knowgate.ingest.cli.Pusher;
import dev.knowgate.testing.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The curators' CLI against the real service and broker: a 10,000-line file pushed, interrupted
 * twice (a cancel, as Ctrl-C does, and a thread interrupt), resumed; every line lands exactly once.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
class CliPushTest {

    @TestHTTPResource("/")
    URL service;

    @TempDir
    Path dir;

    @Test
    void tenThousandLinesInterruptedAndResumedLandExactlyOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> lines = IntStream.range(0, 10_000)
                .mapToObj(i -> "{\"question\":\"Where was Person " + run + "-" + i + " born?\",\"answer\":\"City "
                        + i % 97 + "\",\"relation\":\"birthplace\"}")
                .toList();
        Path file = dir.resolve("facts.jsonl");
        Files.write(file, lines);
        Set<String> ids = IntStream.range(0, 10_000)
                .mapToObj(i -> ExampleIds.of("Where was Person " + run + "-" + i + " born?", "City " + i % 97))
                .collect(Collectors.toSet());
        Pusher pusher = Pusher.builder(URI.create(service.toString())).apiKey("bob-key").build();
        PushOptions options = PushOptions.of(file).withBatchSize(500);

        // 1. Cancelled after the 5th batch, as Ctrl-C does.
        Cancellation first = new Cancellation();
        PushResult interrupted = pusher.push(options, first, new PushListener() {
            @Override
            public void batchAcknowledged(Batch batch) {
                if (batch.number() == 5) {
                    first.cancel();
                }
            }
        });
        assertThat(interrupted.status()).isEqualTo(PushStatus.INTERRUPTED);
        assertThat(interrupted.linesHandled()).isEqualTo(2_500);
        assertThat(SubmittedTopic.committed(ids)).hasSize(2_500);

        // 2. Resumed, then its thread interrupted after the 12th batch overall.
        AtomicReference<Thread> pushing = new AtomicReference<>();
        AtomicReference<PushResult> second = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                second.set(pusher.push(options, new Cancellation(), new PushListener() {
                    @Override
                    public void batchAcknowledged(Batch batch) {
                        if (batch.number() == 12) {
                            pushing.get().interrupt();
                        }
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        pushing.set(thread);
        thread.start();
        thread.join();
        assertThat(second.get().status()).isEqualTo(PushStatus.INTERRUPTED);
        assertThat(second.get().resumedAfterLine()).isEqualTo(2_500);
        assertThat(second.get().linesHandled()).isEqualTo(6_000);

        // 3. Resumed to the end.
        PushResult done = pusher.push(options);
        assertThat(done.status()).isEqualTo(PushStatus.COMPLETE);
        assertThat(done.resumedAfterLine()).isEqualTo(6_000);
        assertThat(done.acceptedThisRun()).isEqualTo(4_000);
        assertThat(done.counts().accepted()).isEqualTo(10_000);
        assertThat(done.counts().rejected()).isZero();

        var landed = SubmittedTopic.committed(ids);
        assertThat(landed).as("nothing lost").hasSize(10_000);
        assertThat(landed).extracting(SubmittedTopic.Submitted::key).as("nothing doubled").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(landed).allSatisfy(s -> assertThat(s.example().curator()).isEqualTo("bob"));

        // 4. A completed file is not pushed again.
        PushResult again = pusher.push(options);
        assertThat(again.acceptedThisRun()).isZero();
        assertThat(SubmittedTopic.committed(ids)).hasSize(10_000);
    }
}
