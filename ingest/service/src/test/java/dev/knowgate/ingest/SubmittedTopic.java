package dev.knowgate.ingest;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;
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
        return matching(TopicContents.committed(KafkaBroker.shared().bootstrapServers(),
                Topics.EXAMPLES_SUBMITTED.name()), ids);
    }

    /** Also records of open or aborted transactions: proof that something was sent at all. */
    static List<Submitted> uncommitted(Set<String> ids) {
        return matching(TopicContents.uncommitted(KafkaBroker.shared().bootstrapServers(),
                Topics.EXAMPLES_SUBMITTED.name()), ids);
    }

    private static List<Submitted> matching(List<ConsumerRecord<String, byte[]>> records, Set<String> ids) {
        return records.stream().filter(r -> ids.contains(r.key()))
                .map(r -> new Submitted(r.key(), ContractJson.read(r.value(), Example.class))).toList();
    }
}
