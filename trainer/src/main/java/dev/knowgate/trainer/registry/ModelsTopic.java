package dev.knowgate.trainer.registry;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.KafkaClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The trainer's side of the models topic (one partition, so versions are seen in publication
 * order): reads every announced version, and publishes new ones, waiting for the broker's
 * acknowledgement (acks=all, idempotent) before a round commits its offsets.
 */
public final class ModelsTopic implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelsTopic.class);

    private final String topic;
    private final Map<String, Object> clientConfig;
    private final KafkaProducer<String, byte[]> producer;

    public ModelsTopic(String topic, Map<String, Object> clientConfig) {
        this.topic = topic;
        this.clientConfig = Map.copyOf(clientConfig);
        Map<String, Object> p = KafkaClientConfig.producer(clientConfig);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "trainer-models-publisher");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Every version announced so far, in publication order; unreadable records are logged and skipped. */
    public List<ModelVersion> readAll(Duration timeout) {
        Map<String, Object> c = KafkaClientConfig.consumer(clientConfig);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "trainer-models-reader");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TopicPartition tp = new TopicPartition(topic, 0);
        List<ModelVersion> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading " + topic + " took over " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue; // a tombstone: the version was withdrawn
                    }
                    try {
                        all.add(ContractJson.read(r.value(), ModelVersion.class));
                    } catch (ContractViolation v) {
                        LOG.warnf("models record at offset %d is not a model version, skipped: %s", r.offset(), v.getMessage());
                    }
                }
            }
        }
        return all;
    }

    /** Publishes a version and returns once the broker has it. */
    public void publish(ModelVersion version) throws ExecutionException, InterruptedException, TimeoutException {
        producer.send(new ProducerRecord<>(topic, version.key(), ContractJson.write(version))).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
