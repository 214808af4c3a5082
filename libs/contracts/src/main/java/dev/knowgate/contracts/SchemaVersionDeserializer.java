package dev.knowgate.contracts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;

/**
 * Reads a schemaVersion strictly (a JSON integer, nothing else) and makes an absent or null
 * one mean {@link SchemaVersions#CURRENT}: documents written before versioning, or by
 * producers that leave it out, are version 1 by definition. The record constructor then
 * decides whether the version is supported.
 */
final class SchemaVersionDeserializer extends StdDeserializer<Integer> {

    private static final long serialVersionUID = 1L;

    SchemaVersionDeserializer() {
        super(Integer.class);
    }

    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (!p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
            return (Integer) ctxt.handleUnexpectedToken(int.class, p);
        }
        if (p.getNumberType() != JsonParser.NumberType.INT) {
            // Too big for an int: certainly not a version we read. The path comes from Jackson.
            throw SchemaVersions.unsupported(p.getText(), null);
        }
        return p.getIntValue();
    }

    @Override
    public Integer getNullValue(DeserializationContext ctxt) {
        return SchemaVersions.CURRENT;
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
        return SchemaVersions.CURRENT;
    }
}
