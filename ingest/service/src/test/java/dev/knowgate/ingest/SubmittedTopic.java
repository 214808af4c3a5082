package dev.knowgate.ingest;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads examples.submitted on the real broker, from the start to the end, as a downstream consumer would. */
final class SubmittedTopic {

    /** A record as it sits on the topic: its key and the example it holds. */
    record Submitted(String key, Example example) {
    }

    private SubmittedTopic() {
    }

    /** Everything committed so far whose key is in {@code ids} (read_committed, as the pipeline reads). */
    static List<Submitted> committed(Set<String> ids) {
        return read(ids, "read_committed");
    }

    /** Also records of open or aborted transactions: proof that something was sent at all. */
    static List<Submitted> uncommitted(Set<String> ids) {
        return read(ids, "read_uncommitted");
    }

    private static List<Submitted> read(Set<String> ids, String isolation) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toLowerCase(Locale.ROOT),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EXAMPLES_SUBMITTED.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // For read_committed the end is the last stable offset: nothing past an open transaction.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<Submitted> found = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read examples.submitted to its end within 30 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (ids.contains(r.key())) {
                        found.add(new Submitted(r.key(), ContractJson.read(r.value(), Example.class)));
                    }
                }
            }
            return found;
        }
    }
}
