package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 19, item 8, on the real broker: every batch takes 12 s longer than the model needs (a
 * machine too loaded to keep up), more than the 10 s transaction timeout Kafka Streams' producer
 * has by default. With that default the broker aborted the transaction, the thread was fenced and
 * the batch computed again, in a loop. With the service's settings (transaction timeout 60 s, a
 * flush starting no batch after batch.max-flush-time) every example is committed exactly once and
 * nothing was written twice: the topic holds, read_uncommitted, no more records than committed.
 *
 * <p>{@code -Dknowgate.load-test.transaction-timeout-ms=10000} runs the same test with Kafka's default
 * timeout: it then fails (docs/reliability.md has the figures).
 */
class SlowBatchLoadTest {

    /** Two of the service's batches (32 examples each). */
    static final int EXAMPLES = 64;
    static final long DELAY_MS = 12_000;
    /** Several batches' time: a transaction aborted again and again commits nothing for this long. */
    static final Duration STALL = Duration.ofMinutes(2);
    /** What Kafka Streams logs when the broker aborted a transaction and fenced its producer. */
    static final String[] FENCED = {"ProducerFencedException", "InvalidProducerEpochException", "TaskMigratedException"};

    @TempDir
    Path tmp;

    @Test
    void batchesSlowerThanKafkasDefaultTransactionTimeoutAreCommittedOnceWithoutFencing() throws Exception {
        // The broker looks for transactions past their timeout every second, not every 10 s (Kafka's
        // default): a transaction that outlives its timeout is aborted, not spared by the check's timing.
        try (KafkaBroker broker = KafkaBroker.startEmbedded(
                Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"))) {
            run(broker.bootstrapServers());
        }
    }

    private void run(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
        }
        List<Example> examples = FactWorld.generate(WorldConfig.preset("standard", 42L)).finetunePool().stream()
                .limit(EXAMPLES).map(Fact::toExample).toList();
        // Written right after the topics were created: each record acknowledged (CI lost two of them once).
        TopicContents.write(bootstrap, examples.stream().map(e -> new ProducerRecord<>(Topics.EXAMPLES_SUBMITTED.name(),
                e.id(), ContractJson.write(e))).toList());

        String timeout = System.getProperty("knowgate.load-test.transaction-timeout-ms", "service");
        Path log = Path.of("target", "slow-batch-load-test.log");
        Process app = CrashableCategorizeApp.launch(log, bootstrap, tmp.resolve("state").toString(),
                TestModels.base().toString(), Long.toString(DELAY_MS), timeout);
        long t0 = System.nanoTime();
        try {
            // Progress, not a total time: how many batches a slow start splits the 64 into varies with
            // the machine's load, but a transaction that outlives its timeout commits nothing ever.
            long lastProgress = t0;
            int seen = 0;
            int n;
            while ((n = TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size()) < EXAMPLES) {
                if (n > seen) {
                    seen = n;
                    lastProgress = System.nanoTime();
                }
                assertThat(app.isAlive()).as("the app is running (see %s)", log).isTrue();
                assertThat(firstFencing(log)).as("no transaction aborted, no producer fenced (see %s)", log).isEmpty();
                int committed = n;
                assertThat(System.nanoTime() - lastProgress)
                        .as(() -> String.format("%d of %d committed, none for %s; the app's batches so far:%n%s",
                                committed, EXAMPLES, STALL, batches(log)))
                        .isLessThan(STALL.toNanos());
                Thread.sleep(500);
            }
            Thread.sleep(2_000); // a batch computed again would show up now
        } finally {
            app.destroy();
            app.waitFor();
        }
        System.out.printf("%d examples in batches delayed %d ms: all committed after %.1f s%n", EXAMPLES, DELAY_MS,
                (System.nanoTime() - t0) / 1e9);

        Map<String, Long> committed = TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).stream()
                .map(r -> ContractJson.read(r.value(), CategorizedExample.class).example().id())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(committed.keySet()).isEqualTo(examples.stream().map(Example::id).collect(Collectors.toSet()));
        assertThat(committed.values()).as("each example committed once").allMatch(n -> n == 1L);
        int written = TopicContents.uncommitted(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size();
        assertThat(written).as("records written, aborted ones included: no batch was computed and written twice")
                .isEqualTo(EXAMPLES);
        assertThat(firstFencing(log)).as("no transaction aborted, no producer fenced (see %s)", log).isEmpty();
    }

    /** The first line of the app's log that says its producer was fenced (a transaction aborted). */
    private static java.util.Optional<String> firstFencing(Path log) throws java.io.IOException {
        return Files.readAllLines(log).stream().filter(l -> java.util.Arrays.stream(FENCED).anyMatch(l::contains))
                .findFirst();
    }

    /** The app's lines about its batches (CrashableCategorizeApp prints one per batch); read on failure only. */
    private static String batches(Path log) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains(" batch of ")).collect(Collectors.joining("\n"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
