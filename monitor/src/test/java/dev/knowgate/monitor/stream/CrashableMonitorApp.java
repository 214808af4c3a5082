package dev.knowgate.monitor.stream;

import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.monitor.gate.GateSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Properties;

/**
 * The monitor's topology in a JVM of its own, so that {@link MonitorCrashTest} can kill it without a
 * clean shutdown (SIGKILL). Given a version, its producer stops once the decision on that version is
 * written ({@link FreezeAfterDecision}), so that the test kills it after the decision and before its
 * commit whatever the timing (a commit due just after the decision once beat the kill in CI).
 *
 * <p>args: bootstrap servers, state directory, probes in the set, and optionally the version whose
 * decision freezes the producer
 */
public final class CrashableMonitorApp {

    public static void main(String[] args) throws Exception {
        dev.knowgate.testing.ChildJvm.logToStdout(); // Kafka's lines in the log a failed test prints
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "knowgate-monitor-crash-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[1]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 8_000);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 60_000);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        // The killed JVM's member stays in the group until its session expires; the restart's first
        // rebalance waits for that (44 s of the test's 79 with Kafka's default of 45 s).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        if (args.length > 3) {
            props.put(StreamsConfig.producerPrefix(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG),
                    FreezeAfterDecision.class.getName());
            props.put(StreamsConfig.producerPrefix(FreezeAfterDecision.VERSION_CONFIG), args[3]);
        }
        int probes = Integer.parseInt(args[2]);
        KafkaStreams streams = new KafkaStreams(MonitorTopology.build(1, probes, FlagSettings.builder().minProbes(probes).forgettingMargin(0.05).trendVersions(5).trendMinPoints(3).trendSlope(0.02).build(),
                GateSettings.builder().enabled(true).maxForgetting(0.03).maxAccuracyDrop(0.05).evaluationTimeout(Duration.ofMinutes(15)).build(),
                CusumSettings.builder().window(Duration.ofMinutes(1)).minExamples(20).target(-1).warmupWindows(5).slack(0.05)
                        .threshold(0.3).keepWindows(100).build()), props);
        // Timestamped state changes in the child's log (target/crash-monitor-N.log) show where a slow start spent its time.
        streams.setStateListener((now, before) -> System.out.println(java.time.Instant.now() + " " + before + " -> " + now));
        streams.start();
        System.out.println(java.time.Instant.now() + " started");
        Thread.currentThread().join(); // until killed
    }
}
