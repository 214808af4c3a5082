package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.ExampleCategorizer;
import dev.knowgate.categorize.model.LoadedModels;
import dev.knowgate.categorize.model.ModelLoader;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SlickConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * The categorize topology in a JVM of its own, so that a test can kill it without a clean shutdown
 * (SIGKILL). Arguments: bootstrap servers, state directory, model folder; optionally a delay added
 * to every batch in ms (a machine too loaded to keep up) and a producer transaction timeout in ms
 * ("service": the service's own).
 */
public final class CrashableCategorizeApp {

    /** Starts the app in a JVM of its own, its output in {@code log}. Arguments as {@link #main}'s. */
    static Process launch(Path log, String... args) throws java.io.IOException {
        return dev.knowgate.testing.ChildJvm.start(log, "1g", CrashableCategorizeApp.class, args);
    }

    public static void main(String[] args) throws Exception {
        dev.knowgate.testing.ChildJvm.logToStdout(); // the tests read Kafka's lines
        LoadedModels live = new LoadedModels();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "knowgate-categorize-crash-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[1]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // The service's own membership and transaction settings, so the crash test covers them.
        props.putAll(ServiceStreamsSettings.read("group.instance.id", "producer.transaction.timeout.ms"));
        long delayMs = args.length > 3 ? Long.parseLong(args[3]) : 0;
        if (args.length > 4 && !args[4].equals("service")) {
            props.put("producer.transaction.timeout.ms", args[4]);
        }
        ExampleCategorizer categorizer = delayMs == 0 ? live : new SlowCategorizer(live, delayMs);
        // The service's own batch settings (size and flush budget), so the load test covers them.
        BatchSettings batch = delayMs == 0 ? new BatchSettings(16, Duration.ofMillis(100))
                : new BatchSettings(Integer.parseInt(ServiceStreamsSettings.batchDefault("size")), Duration.ofMillis(100),
                        Duration.ofMinutes(10), ServiceStreamsSettings.duration(ServiceStreamsSettings.batchDefault("maxFlushTime")));
        KafkaStreams streams = new KafkaStreams(CategorizeTopology.build(batch,
                RoutingPolicy.defaults(), categorizer, new CategorizeMetrics(new SimpleMeterRegistry())), props,
                new BudgetedClientSupplier()); // as the service's TopologyProducer supplies it
        streams.start();
        // As in the service (ModelsWatcher): the model loads while the stream starts and restores its
        // stores; examples wait in the batch store until it is live.
        // Two prompt sets instead of ten: this app proves exactly-once, not SliCK, and should be quick.
        live.swap(new ModelLoader(RuntimeOptions.cpu(), new SlickConfig(2, 4, 16, 0.5, 40, 0.5)).load(Path.of(args[2])));
        System.out.println("started");
        Thread.currentThread().join(); // until killed
    }

    /** Every batch takes {@code delayMs} longer: what a loaded machine does to the real model. */
    record SlowCategorizer(ExampleCategorizer delegate, long delayMs) implements ExampleCategorizer {

        @Override
        public java.util.Optional<dev.knowgate.categorize.model.ModelRef> live() {
            return delegate.live();
        }

        @Override
        public Availability availability(dev.knowgate.categorize.model.ModelRef version) {
            return delegate.availability(version);
        }

        @Override
        public java.util.Optional<dev.knowgate.categorize.model.CategorizedBatch> categorize(
                java.util.List<dev.knowgate.contracts.Example> examples) throws Exception {
            return slowly(examples.size(), () -> delegate.categorize(examples));
        }

        @Override
        public java.util.Optional<dev.knowgate.categorize.model.CategorizedBatch> categorize(
                dev.knowgate.categorize.model.ModelRef version, java.util.List<dev.knowgate.contracts.Example> examples)
                throws Exception {
            return slowly(examples.size(), () -> delegate.categorize(version, examples));
        }

        /** The batch after {@code delayMs}, and one line about it, so that a load test's log shows how its time went. */
        private <T> T slowly(int examples, java.util.concurrent.Callable<T> batch) throws Exception {
            long t0 = System.nanoTime();
            Thread.sleep(delayMs);
            T result = batch.call();
            System.out.printf("%s batch of %d examples on %s took %.1f s%n", java.time.Instant.now(), examples,
                    Thread.currentThread().getName(), (System.nanoTime() - t0) / 1e9);
            return result;
        }
    }
}
