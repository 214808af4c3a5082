package dev.knowgate.categorize.stream;

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
 * (SIGKILL). Arguments: bootstrap servers, state directory, model folder.
 */
public final class CrashableCategorizeApp {

    public static void main(String[] args) throws Exception {
        LoadedModels live = new LoadedModels();
        // Two prompt sets instead of ten: this app proves exactly-once, not SliCK, and should be quick.
        live.swap(new ModelLoader(RuntimeOptions.cpu(), new SlickConfig(2, 4, 16, 0.5, 40, 0.5)).load(Path.of(args[2])));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "knowgate-categorize-crash-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[1]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // The service's own membership and transaction settings, so the crash test covers them.
        props.putAll(ServiceStreamsSettings.read("group.instance.id", "producer.transaction.timeout.ms"));
        KafkaStreams streams = new KafkaStreams(CategorizeTopology.build(new BatchSettings(16, Duration.ofMillis(100)),
                RoutingPolicy.defaults(), live, new CategorizeMetrics(new SimpleMeterRegistry())), props);
        streams.start();
        System.out.println("started");
        Thread.currentThread().join(); // until killed
    }
}
