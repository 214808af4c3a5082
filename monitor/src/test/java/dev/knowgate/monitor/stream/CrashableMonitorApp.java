package dev.knowgate.monitor.stream;

import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.monitor.gate.GateSettings;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Properties;

/**
 * The monitor's topology in a JVM of its own, so that {@link MonitorCrashTest} can kill it without a
 * clean shutdown (SIGKILL). Its transactions stay open for 20 s (the commit interval), so that the
 * test can kill it after it made a decision and before the decision is committed.
 *
 * <p>args: bootstrap servers, state directory, probes in the set
 */
public final class CrashableMonitorApp {

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "knowgate-monitor-crash-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[1]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20_000);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 60_000);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        int probes = Integer.parseInt(args[2]);
        KafkaStreams streams = new KafkaStreams(MonitorTopology.build(1, probes, new FlagSettings(probes, 0.05, 5, 3, 0.02),
                new GateSettings(true, 0.03, 0.05, Duration.ofMinutes(15)),
                new CusumSettings(Duration.ofMinutes(1), 20, -1, 5, 0.05, 0.3, 100)), props);
        streams.start();
        System.out.println("started");
        Thread.currentThread().join(); // until killed
    }
}
