package dev.knowgate.trainer.round;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.ParkedHeaders;
import dev.knowgate.service.KafkaClientConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Sets a rejected round's examples aside on examples.parked and commits the round's offsets in the
 * same Kafka transaction: after a crash either both happened or neither did, so nothing is lost and
 * nothing is parked twice.
 */
final class ParkedExamples implements AutoCloseable {

    /** One consumed record to park, as it was accepted. */
    record Parked(String key, byte[] value) {
    }

    /** A released example going back to the quarantine queue: its decision, keyed by example id. */
    record Returned(String key, byte[] decision) {
    }

    /**
     * The return of a released example whose round was rejected, with the rejection as its evidence.
     * Its id names the example and the rejected version, so a round parked again after a crash returns
     * it once.
     */
    static Returned returned(byte[] accepted, ModelDecision rejection, int attempts, Instant at) {
        CategorizedExample c = ContractJson.read(accepted, CategorizedExample.class);
        String id = c.example().id();
        QuarantineDecision back = new QuarantineDecision("return-" + id + "-" + rejection.model() + "-" + rejection.modelVersion(),
                id, QuarantineDecision.Action.RETURN, QuarantineDecision.TRAINER, rejection.key() + " rejected by "
                + rejection.decidedBy() + " after " + attempts + " training(s): " + rejection.reason(),
                c.verdict().modelKey(), null, List.of(), null, at);
        return new Returned(id, ContractJson.write(back));
    }

    private final String topic;
    private final Map<String, Object> clientConfig;
    private final String transactionalId;
    private KafkaProducer<String, byte[]> producer;

    ParkedExamples(String topic, Map<String, Object> clientConfig, String transactionalId) {
        this.topic = topic;
        this.clientConfig = Map.copyOf(clientConfig);
        this.transactionalId = transactionalId;
    }

    void park(List<Parked> records, List<Returned> returned, String decisionsTopic, String candidate, String reason,
              int attempts, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        KafkaProducer<String, byte[]> p = producer();
        p.beginTransaction();
        try {
            for (Returned r : returned) {
                p.send(new ProducerRecord<>(decisionsTopic, r.key(), r.decision()));
            }
            for (Parked r : records) {
                ProducerRecord<String, byte[]> out = new ProducerRecord<>(topic, r.key(), r.value());
                out.headers().add(ParkedHeaders.CANDIDATE, candidate.getBytes(StandardCharsets.UTF_8));
                out.headers().add(ParkedHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
                out.headers().add(ParkedHeaders.ATTEMPTS, Integer.toString(attempts).getBytes(StandardCharsets.UTF_8));
                p.send(out);
            }
            p.sendOffsetsToTransaction(offsets, group);
            p.commitTransaction();
        } catch (KafkaException e) {
            try {
                p.abortTransaction();
            } catch (KafkaException ignored) {
                // fenced or broken: the producer is replaced below
            }
            close();
            throw e;
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> c = KafkaClientConfig.producer(clientConfig);
            c.put(ProducerConfig.CLIENT_ID_CONFIG, "trainer-parked-examples");
            c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
            producer.initTransactions();
        }
        return producer;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
