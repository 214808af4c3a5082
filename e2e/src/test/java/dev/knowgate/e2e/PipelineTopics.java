package dev.knowgate.e2e;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.testing.TopicContents;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Optional;

/** What the pipeline has committed so far, read as an independent client would (read_committed). */
final class PipelineTopics {

    private PipelineTopics() {
    }

    /** The newest model version an example was categorized under, if any. */
    static Optional<Long> verdictVersion(String bootstrap, String exampleId) {
        long best = -1;
        for (ConsumerRecord<String, byte[]> r : TopicContents.committed(bootstrap, Topics.EXAMPLES_CATEGORIZED.name())) {
            CategorizedExample c = ContractJson.read(r.value(), CategorizedExample.class);
            if (c.example().id().equals(exampleId)) {
                best = Math.max(best, c.verdict().modelVersion());
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(best);
    }

    /** The version announced under {@code key} (name@version), if it was. */
    static Optional<ModelVersion> version(String bootstrap, String key) {
        return TopicContents.committed(bootstrap, Topics.MODELS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelVersion.class)).filter(v -> v.key().equals(key)).findFirst();
    }

    /** The first decision on {@code key} (name@version), if one was made. */
    static Optional<ModelDecision> decision(String bootstrap, String key) {
        return TopicContents.committed(bootstrap, Topics.MODELS_DECISIONS.name()).stream()
                .map(r -> ContractJson.read(r.value(), ModelDecision.class)).filter(d -> d.key().equals(key)).findFirst();
    }
}
