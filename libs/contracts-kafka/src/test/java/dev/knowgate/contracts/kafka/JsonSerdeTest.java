package dev.knowgate.contracts.kafka;

import dev.knowgate.contracts.ContractSamples;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.json.ContractJson;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonSerdeTest {

    private static final String TOPIC = "examples.submitted";

    @Test
    void roundTripsThroughKafkaSerialisers() {
        Serde<Example> serde = JsonSerde.of(Example.class);
        Example example = ContractSamples.example();

        byte[] bytes = serde.serializer().serialize(TOPIC, example);

        assertThat(bytes).isEqualTo(ContractJson.write(example));
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(example);
        assertThat(serde.deserializer().deserialize(TOPIC, new RecordHeaders(), bytes)).isEqualTo(example);
    }

    @Test
    void nullIsATombstoneBothWays() {
        JsonSerde<ModelVersion> serde = JsonSerde.of(ModelVersion.class);

        assertThat(serde.serializer().serialize("models", null)).isNull();
        assertThat(serde.deserializer().deserialize("models", null)).isNull();
    }

    @Test
    void badBytesFailWithTheViolationAsCause() {
        byte[] payload = "{\"question\":42,\"answer\":\"Tessaly\"}".getBytes(StandardCharsets.UTF_8);

        SerializationException failure = catchThrowableOfType(SerializationException.class,
                () -> JsonSerde.of(Example.class).deserializer().deserialize(TOPIC, payload));

        assertThat(failure).hasMessage("cannot read Example from topic examples.submitted: "
                + "field 'question' must be a string, got number 42");
        ContractViolation violation = ContractViolation.findIn(failure).orElseThrow();
        assertThat(violation.code()).isEqualTo("wrong_type");
        assertThat(violation.field()).isEqualTo("question");

        // What a deserialization-exception handler would publish to examples.rejected.
        RejectedRecord rejected = RejectedRecord.of(violation, payload, TOPIC, 3, 18211, Instant.parse("2026-05-04T09:31:02.005Z"));
        assertThat(rejected).isEqualTo(ContractSamples.rejectedRecord());
    }

    @Test
    void garbageIsInvalidJson() {
        byte[] garbage = {(byte) 0xFF, 0x00, 0x13, 0x37};

        SerializationException failure = catchThrowableOfType(SerializationException.class,
                () -> JsonSerde.of(Example.class).deserializer().deserialize(TOPIC, garbage));

        assertThat(ContractViolation.findIn(failure).orElseThrow().code()).isEqualTo("invalid_json");
    }

    @Test
    void emptyPayloadIsNotATombstone() {
        SerializationException failure = catchThrowableOfType(SerializationException.class,
                () -> JsonSerde.of(Example.class).deserializer().deserialize(TOPIC, new byte[0]));

        assertThat(ContractViolation.findIn(failure).orElseThrow().code()).isEqualTo("invalid_json");
    }

    @Test
    void knowsItsType() {
        assertThat(JsonSerde.of(ModelVersion.class).type()).isEqualTo(ModelVersion.class);
        assertThat(JsonSerde.of(ModelVersion.class)).hasToString("JsonSerde[ModelVersion]");
    }
}
