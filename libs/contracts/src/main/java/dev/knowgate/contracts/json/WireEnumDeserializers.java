package dev.knowgate.contracts.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import dev.knowgate.contracts.WireEnum;

import java.io.IOException;

/**
 * Reads {@link WireEnum}s from JSON strings only. The enums' own {@code @JsonCreator} (kept
 * for any other mapper) would be handed a number as its text, turning a wrong type into a
 * confusing "unknown value '1'".
 */
final class WireEnumDeserializers extends Deserializers.Base {

    @Override
    public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config, BeanDescription beanDesc) {
        return WireEnum.class.isAssignableFrom(type) ? new WireEnumDeserializer(type) : null;
    }

    private static final class WireEnumDeserializer extends StdScalarDeserializer<Object> {

        private static final long serialVersionUID = 1L;

        WireEnumDeserializer(Class<?> type) {
            super(type);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return ctxt.handleUnexpectedToken(handledType(), p);
            }
            return WireEnum.parse((Class) handledType(), p.getText());
        }
    }
}
