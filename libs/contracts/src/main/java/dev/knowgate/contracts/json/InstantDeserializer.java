package dev.knowgate.contracts.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import dev.knowgate.contracts.ContractViolation;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Instants are ISO-8601 strings, nothing else. Replaces the JavaTimeModule reader, which
 * would also take a bare number as epoch seconds, a silent unit guess we do not want on
 * the wire.
 */
final class InstantDeserializer extends StdScalarDeserializer<Instant> {

    private static final long serialVersionUID = 1L;

    InstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (!p.hasToken(JsonToken.VALUE_STRING)) {
            return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
        }
        String text = p.getText();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            // No field: the reader knows the path and puts it in.
            throw ContractViolation.invalid(null,
                    "must be an ISO-8601 UTC timestamp such as 2026-05-04T09:30:00Z, got " + ContractViolation.quote(text));
        }
    }
}
