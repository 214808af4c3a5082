package dev.knowgate.contracts.kafka;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.json.ContractJson;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Objects;

/**
 * Kafka serde for a contract record, through {@link ContractJson}. A null value maps to a null
 * payload and back (tombstones on compacted topics). A payload that breaks the contract fails
 * with a {@link SerializationException} whose cause is the {@link ContractViolation}, so a
 * deserialization-exception handler can route it to examples.rejected with its reason
 * ({@link ContractViolation#findIn}).
 */
public final class JsonSerde<T> implements Serde<T> {

    private final Class<T> type;
    private final Serializer<T> serializer;
    private final Deserializer<T> deserializer;

    private JsonSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.serializer = (topic, value) -> value == null ? null : ContractJson.write(value);
        this.deserializer = this::deserialize;
    }

    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    private T deserialize(String topic, byte[] payload) {
        if (payload == null) {
            return null;
        }
        try {
            return ContractJson.read(payload, type);
        } catch (ContractViolation violation) {
            throw new SerializationException("cannot read " + type.getSimpleName()
                    + (topic == null ? "" : " from topic " + topic) + ": " + violation.getMessage(), violation);
        }
    }

    @Override
    public String toString() {
        return "JsonSerde[" + type.getSimpleName() + "]";
    }
}
