package dev.knowgate.trainer.round;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.testing.TopicContents;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The round loop's topics as its tests drive and read them on a real broker: examples in, the
 * monitor's decisions, the versions announced, and offsets (topic ends, a group's commits) keyed as
 * {@link RoundSummary#offsetKey} keys them.
 */
public final class RoundTopics {

    /** Partitions of the tests' examples.accepted. */
    public static final int PARTITIONS = 2;

    private RoundTopics() {
    }

    public static void send(String bootstrap, String topic, List<CategorizedExample> records) throws Exception {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            for (CategorizedExample c : records) {
                p.send(new ProducerRecord<>(topic, c.example().id(), ContractJson.write(c))).get();
            }
        }
    }

    /** What the monitor's gate does: a decision on the decisions topic. */
    public static void decide(String bootstrap, String decisionsTopic, ModelVersion v, DecisionStatus status) throws Exception {
        ModelDecision d = new ModelDecision(v.name(), v.version(), v.parent(), status, ModelDecision.BY_MONITOR, "test",
                null, Instant.now());
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            p.send(new ProducerRecord<>(decisionsTopic, d.key(), ContractJson.write(d))).get();
        }
    }

    /** Every version announced on the models topic, in order (read_committed). */
    public static List<ModelVersion> versions(String bootstrap, String modelsTopic) {
        List<ModelVersion> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(bootstrap, modelsTopic)) {
            out.add(ContractJson.read(r.value(), ModelVersion.class));
        }
        return out;
    }

    /** The end offset of each of the topic's {@link #PARTITIONS} partitions. */
    public static Map<String, Long> ends(String bootstrap, String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<String, Long> out = new HashMap<>();
            admin.listOffsets(specs).all().get().forEach((tp, i) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), i.offset()));
            return out;
        }
    }

    /** The offsets the group has committed. */
    public static Map<String, Long> committed(String bootstrap, String group) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            Map<String, Long> out = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, o) -> out.put(RoundSummary.offsetKey(tp.topic(), tp.partition()), o.offset()));
            return out;
        }
    }

    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new ByteArraySerializer());
    }
}
