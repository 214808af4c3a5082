package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.Map;

/**
 * For {@link CrashableMonitorApp}: once the decision on version {@value #VERSION_CONFIG} has been
 * written (acknowledged, so a read_uncommitted reader sees it), the producer's network thread stops
 * for good, so the transaction that holds the decision can never commit. The kill then always lands
 * between the decision and its commit, whenever the commit would have been due.
 */
public final class FreezeAfterDecision implements ProducerInterceptor<byte[], byte[]> {

    /** The version whose decision freezes the producer (producer config, passed through by Kafka Streams). */
    public static final String VERSION_CONFIG = "knowgate.test.freeze-after-decision-on";

    private long version;
    private volatile boolean armed;

    @Override
    public void configure(Map<String, ?> configs) {
        version = Long.parseLong(String.valueOf(configs.get(VERSION_CONFIG)));
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        if (record.topic().equals(Topics.MODELS_DECISIONS.name()) && record.value() != null
                && ContractJson.read(record.value(), ModelDecision.class).modelVersion() == version) {
            armed = true;
        }
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        if (armed && exception == null && metadata.topic().equals(Topics.MODELS_DECISIONS.name())) {
            System.out.println(java.time.Instant.now() + " decision on v" + version + " written at offset "
                    + metadata.offset() + "; the producer stops until the JVM is killed");
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException ignored) {
                    // still frozen: only the kill ends this
                }
            }
        }
    }

    @Override
    public void close() {
    }
}
