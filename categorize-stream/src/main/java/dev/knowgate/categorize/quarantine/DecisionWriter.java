package dev.knowgate.categorize.quarantine;

import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.service.KafkaClientConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes curators' decisions to quarantine.decisions, keyed by example id: idempotent, acks=all, and
 * answered only once the broker has it. The stream applies each decision id once, so a retried write
 * is harmless.
 */
@ApplicationScoped
public class DecisionWriter {

    private final KafkaProducer<String, byte[]> producer;

    @Inject
    public DecisionWriter(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        Map<String, Object> c = KafkaClientConfig.producer(kafkaConfig);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "categorize-quarantine-decisions");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
    }

    /** Writes the decision; returns once it is on the topic. */
    public void write(QuarantineDecision decision) throws Exception {
        try {
            producer.send(new ProducerRecord<>(Topics.QUARANTINE_DECISIONS.name(), decision.exampleId(),
                    ContractJson.write(decision))).get(35, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("the broker did not acknowledge the decision within 35 s");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(5));
    }
}
