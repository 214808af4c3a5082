package dev.knowgate.service;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The service's Kafka settings (Quarkus' {@code default-kafka-broker} map: bootstrap servers and
 * every {@code kafka.*} setting, TLS and SASL included) cut down to what a plain consumer or
 * producer accepts, so that every client a service creates by hand gets the same security settings.
 */
public final class KafkaClientConfig {

    private KafkaClientConfig() {
    }

    /** A mutable copy with the consumer settings only. */
    public static Map<String, Object> consumer(Map<String, Object> serviceConfig) {
        return only(serviceConfig, ConsumerConfig.configNames());
    }

    /** A mutable copy with the producer settings only. */
    public static Map<String, Object> producer(Map<String, Object> serviceConfig) {
        return only(serviceConfig, ProducerConfig.configNames());
    }

    private static Map<String, Object> only(Map<String, Object> config, Set<String> names) {
        Map<String, Object> out = new HashMap<>();
        config.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
