package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.categorize.model.CategorizedBatch;
import dev.knowgate.categorize.model.ExampleCategorizer;
import dev.knowgate.categorize.model.LoadedModels;
import dev.knowgate.categorize.model.ModelLoader;
import dev.knowgate.categorize.model.ModelRef;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.kafka.TopicProvisioner;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 20, goal 2, on the real broker: batches are formed across the stream tasks of an instance.
 * Six partitions hold 8 examples each, the batch size is 16 and a partial batch would wait a minute:
 * a task alone never fills a batch, so every model call of 16 holds examples of several tasks, and
 * each task still writes its own verdicts in its own transactions, exactly once. Without
 * {@code acrossTasks} each task's 8 go alone once its max-wait runs out.
 */
class CrossTaskBatchesTest {

    static final int PARTITIONS = 6;
    static final int PER_PARTITION = 8;
    static final int BATCH = 16;

    @TempDir
    Path tmp;

    @Test
    void oneStreamThreadFillsEachModelCallWithTheExamplesOfSeveralTasks() throws Exception {
        Run run = run(KafkaBroker.shared(), 1, 0);
        assertThat(run.calls()).as("every model call is a full batch").containsExactly(BATCH, BATCH, BATCH);
        run.assertEachExampleComputedAndCommittedOnce();
    }

    @Test
    void streamThreadsShareBatchesWithoutComputingAnExampleTwice() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            Run run = run(broker, 3, 1000);
            // A thread that saw a batch's worth waiting but found part of it taken by another thread's
            // batch used to run what was left as a partial call (16, 1, 16, and 15 waited the minute).
            assertThat(run.calls()).as("every model call is a full batch").containsExactly(BATCH, BATCH, BATCH);
            run.assertEachExampleComputedAndCommittedOnce();
        }
    }

    @Test
    void withoutAcrossTasksEachTaskBatchesItsOwn() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            Run run = run(broker, 1, 2000, new BatchSettings(BATCH, Duration.ofSeconds(2), Duration.ofMinutes(10),
                    Duration.ofSeconds(20), false));
            assertThat(run.computed()).as("each call one partition's 8, after max-wait").hasSize(PARTITIONS)
                    .allSatisfy(call -> assertThat(call.stream().map(CrossTaskBatchesTest::partition).distinct()).hasSize(1))
                    .allSatisfy(call -> assertThat(call).hasSize(PER_PARTITION));
            run.assertEachExampleComputedAndCommittedOnce();
        }
    }

    record Run(String bootstrap, List<Example> examples, List<List<String>> computed) {

        List<Integer> calls() {
            return computed.stream().map(List::size).toList();
        }

        void assertEachExampleComputedAndCommittedOnce() {
            List<String> all = computed.stream().flatMap(List::stream).toList();
            assertThat(all).as("each example categorized once, in one model call").doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(examples.stream().map(Example::id).toList());
            Map<String, Long> committed = TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).stream()
                    .map(r -> ContractJson.read(r.value(), CategorizedExample.class).example().id())
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(committed.keySet()).containsExactlyInAnyOrderElementsOf(examples.stream().map(Example::id).toList());
            assertThat(committed.values()).as("each verdict committed once").allMatch(n -> n == 1L);
        }
    }

    private Run run(KafkaBroker broker, int threads, int firstFact) throws Exception {
        // A partial batch waits a minute: only batches filled across tasks run within the test.
        return run(broker, threads, firstFact, new BatchSettings(BATCH, Duration.ofMinutes(1)));
    }

    private Run run(KafkaBroker broker, int threads, int firstFact, BatchSettings batch) throws Exception {
        String bootstrap = broker.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, (short) 1, Duration.ofSeconds(30)).ensure(Topics.ALL);
        }
        List<Example> examples = spreadEvenly(firstFact);
        LoadedModels live = new LoadedModels();
        live.swap(new ModelLoader(RuntimeOptions.cpu(), new SlickConfig(2, 4, 16, 0.5, 40, 0.5)).load(TestModels.base()));
        Recording categorizer = new Recording(live);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "knowgate-cross-task-test-" + threads);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state-" + threads).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        try (KafkaStreams streams = new KafkaStreams(CategorizeTopology.build(batch, RoutingPolicy.defaults(),
                categorizer, new CategorizeMetrics(new SimpleMeterRegistry())), props, new BudgetedClientSupplier())) {
            streams.start();
            TopicContents.write(bootstrap, examples.stream().map(e -> new ProducerRecord<String, byte[]>(
                    Topics.EXAMPLES_SUBMITTED.name(), e.id(), ContractJson.write(e))).toList());
            long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos(); // under the minute a partial batch waits
            while (TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name()).size() < examples.size()) {
                assertThat(System.nanoTime()).as("all %d verdicts committed before any partial batch's wait ends; model calls %s",
                        examples.size(), categorizer.calls()).isLessThan(deadline);
                Thread.sleep(200);
            }
            Thread.sleep(1_000); // a verdict written twice would show now
        }
        return new Run(bootstrap, examples, categorizer.calls());
    }

    /** 8 pool facts on each of the 6 partitions (Kafka's default partitioner on the example id). */
    private static List<Example> spreadEvenly(int firstFact) {
        int[] counts = new int[PARTITIONS];
        List<Example> chosen = new ArrayList<>();
        for (Fact f : FactWorld.generate(WorldConfig.preset("standard", 42L)).finetunePool().subList(firstFact,
                firstFact + 1000)) {
            Example e = f.toExample();
            int p = partition(e.id());
            if (counts[p] < PER_PARTITION) {
                counts[p]++;
                chosen.add(e);
            }
            if (chosen.size() == PARTITIONS * PER_PARTITION) {
                return chosen;
            }
        }
        throw new IllegalStateException("not enough facts to spread");
    }

    private static int partition(String exampleId) {
        return Utils.toPositive(Utils.murmur2(exampleId.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    /** The real model, recording the examples of every call. */
    static final class Recording implements ExampleCategorizer {
        private final ExampleCategorizer delegate;
        private final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());

        Recording(ExampleCategorizer delegate) {
            this.delegate = delegate;
        }

        List<List<String>> calls() {
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }

        @Override
        public Optional<ModelRef> live() {
            return delegate.live();
        }

        @Override
        public Availability availability(ModelRef version) {
            return delegate.availability(version);
        }

        @Override
        public Optional<CategorizedBatch> categorize(List<Example> examples) throws Exception {
            calls.add(examples.stream().map(Example::id).toList());
            return delegate.categorize(examples);
        }

        @Override
        public Optional<CategorizedBatch> categorize(ModelRef version, List<Example> examples) throws Exception {
            calls.add(examples.stream().map(Example::id).toList());
            return delegate.categorize(version, examples);
        }
    }
}
