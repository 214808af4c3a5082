package dev.knowgate.monitor.decide;

import dev.knowgate.contracts.ModelDecision;
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

/** Writes operators' decisions to models.decisions and returns once the broker has them (acks=all). */
@ApplicationScoped
public class DecisionPublisher {

    private final Map<String, Object> kafkaConfig;
    private volatile KafkaProducer<String, byte[]> producer;

    @Inject
    public DecisionPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    public void publish(ModelDecision decision) throws ExecutionException, InterruptedException, TimeoutException {
        producer().send(new ProducerRecord<>(Topics.MODELS_DECISIONS.name(), decision.key(), ContractJson.write(decision)))
                .get(30, TimeUnit.SECONDS);
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> c = KafkaClientConfig.producer(kafkaConfig);
            c.put(ProducerConfig.CLIENT_ID_CONFIG, "monitor-operator-decisions");
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(c, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    void onStop(@Observes ShutdownEvent event) {
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }
}
