package dev.knowgate.trainer.registry;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.PromotionLedger;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.KafkaClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The trainer's reading of models.decisions (one partition, read from the start): which version is
 * live, so that a round trains from the last promoted one, and what became of the version a round
 * produced. Used from the round loop's thread only.
 */
public final class DecisionsFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DecisionsFollower.class);

    private final TopicPartition partition;
    private final KafkaConsumer<String, byte[]> consumer;
    private final PromotionLedger ledger = new PromotionLedger();

    public DecisionsFollower(String topic, Map<String, Object> clientConfig) {
        Map<String, Object> c = KafkaClientConfig.consumer(clientConfig);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "trainer-decisions-reader");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.partition = new TopicPartition(topic, 0);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Reads everything decided so far. */
    public void readToEnd(Duration timeout) {
        long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition) < end) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading " + partition.topic() + " took over " + timeout);
            }
            apply(Duration.ofMillis(200));
        }
    }

    /** Applies what arrived since the last call, without waiting long. */
    public void poll() {
        apply(Duration.ZERO);
    }

    public PromotionLedger ledger() {
        return ledger;
    }

    private void apply(Duration wait) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            if (r.value() == null) {
                continue;
            }
            try {
                ModelDecision d = ContractJson.read(r.value(), ModelDecision.class);
                ledger.apply(d);
                LOG.infof("decision: %s %s by %s", d.key(), d.status().wireName(), d.decidedBy());
            } catch (ContractViolation v) {
                LOG.warnf("%s record at offset %d is not a decision, skipped: %s", r.topic(), r.offset(), v.getMessage());
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
