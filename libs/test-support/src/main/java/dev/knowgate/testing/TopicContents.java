package dev.knowgate.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Everything on a topic of a real broker, from the beginning to the end as of the call, read the
 * way a downstream consumer reads it; and a test's records written to topics, each acknowledged.
 */
public final class TopicContents {

    private TopicContents() {
    }

    /**
     * Writes the records in order and returns once the broker has acknowledged every one; fails naming
     * the first it refused. A test that sent and did not look lost records without a word: right after
     * a topic was created, a first batch refused (NOT_LEADER_OR_FOLLOWER) and retried behind later
     * batches the broker had meanwhile taken was refused for good (OUT_OF_ORDER_SEQUENCE_NUMBER) and
     * dropped after the delivery timeout. One request in flight per connection keeps a retried batch
     * ahead of the next.
     */
    public static void write(String bootstrapServers, List<ProducerRecord<String, byte[]>> records) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new StringSerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = records.stream().map(producer::send).toList();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (ExecutionException e) {
                    ProducerRecord<String, byte[]> r = records.get(i);
                    throw new AssertionError("the broker did not take record " + (i + 1) + " of " + records.size()
                            + " (topic " + r.topic() + ", key " + r.key() + "): " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while writing to " + records.get(i).topic(), e);
                }
            }
        }
    }

    /** Committed records only: the end is the last stable offset, aborted transactions are skipped. */
    public static List<ConsumerRecord<String, byte[]>> committed(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, "read_committed");
    }

    /** Also records of open and aborted transactions (to see that something was written at all). */
    public static List<ConsumerRecord<String, byte[]>> uncommitted(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, "read_uncommitted");
    }

    private static List<ConsumerRecord<String, byte[]>> read(String bootstrapServers, String topic, String isolation) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        found.add(r);
                    }
                }
            }
            return found;
        }
    }
}
