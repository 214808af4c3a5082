package dev.knowgate.testing;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A combined KRaft broker+controller in the test JVM. Wraps Kafka's internal test kit, which may
 * change between Kafka releases; this class is the only place that knows it.
 */
final class EmbeddedKafkaBroker implements KafkaBroker {

    private final KafkaClusterTestKit cluster;
    private final Path dataDir;

    private EmbeddedKafkaBroker(KafkaClusterTestKit cluster, Path dataDir) {
        this.cluster = cluster;
        this.dataDir = dataDir;
    }

    static EmbeddedKafkaBroker start() {
        return start(java.util.Map.of());
    }

    /** @param brokerProperties server properties on top of the defaults below (a test of a broker setting) */
    static EmbeddedKafkaBroker start(java.util.Map<String, String> brokerProperties) {
        KafkaClusterTestKit cluster = null;
        Path dataDir = null;
        try {
            // Our own directory, removed after the broker stops: the kit's default temp dir is
            // deleted by its own shutdown hook, racing a broker that is still flushing.
            dataDir = Files.createTempDirectory("knowgate-kafka-");
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                            .setBaseDirectory(dataDir)
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                            .build())
                    // A single broker: internal topics must not ask for more replicas than exist.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // Services create their own topics; a typo must fail, not create a topic.
                    .setConfigProp("auto.create.topics.enable", "false");
            brokerProperties.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafkaBroker(cluster, dataDir);
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            deleteQuietly(dataDir);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public String description() {
        return "in-JVM KRaft broker at " + bootstrapServers();
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the in-JVM Kafka broker", e);
        } finally {
            deleteQuietly(dataDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a leftover temp directory is not worth failing a test run for
        }
    }
}
