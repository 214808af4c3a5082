package dev.knowgate.contracts.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.RejectionReason;
import dev.knowgate.contracts.SchemaVersions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * The project's one JSON configuration, and the only way contracts are read and written.
 *
 * <p>Reading is strict about what is there (types are never coerced, duplicate keys and
 * trailing content are errors) and lenient about what is new (unknown fields are ignored, so
 * producers can add optional fields before every consumer is upgraded). Every failure is a
 * {@link ContractViolation} with a reason code and a field path.
 *
 * <p>Writing is deterministic: record component order, map keys sorted, nulls omitted,
 * instants as ISO-8601 strings. Equal values give equal bytes.
 */
public final class ContractJson {

    /** Far above any real contract (Kafka's default message limit is 1 MiB); stops hostile input early. */
    public static final int MAX_DOCUMENT_LENGTH = 4 * 1024 * 1024;
    public static final int MAX_NESTING_DEPTH = 32;

    private static final JsonMapper MAPPER = newMapper();
    private static final ObjectWriter PRETTY = MAPPER.writer(prettyPrinter());

    private ContractJson() {
    }

    /**
     * Reads UTF-8 bytes, and only UTF-8: they are decoded strictly ({@link StrictUtf8}) before
     * Jackson sees them, so no encoding is guessed and no overlong form is let through.
     *
     * @throws ContractViolation when {@code json} is not a valid {@code type}
     */
    public static <T> T read(byte[] json, Class<T> type) {
        Objects.requireNonNull(json, "json");
        if (json.length > MAX_DOCUMENT_LENGTH) {
            // Checked here too: decoding first must not hold a huge hostile document as text.
            throw ContractViolation.tooLong(null, "is " + json.length + " bytes long; the limit is " + MAX_DOCUMENT_LENGTH);
        }
        return read(StrictUtf8.decode(json), type);
    }

    /** @throws ContractViolation when {@code json} is not a valid {@code type} */
    public static <T> T read(String json, Class<T> type) {
        Objects.requireNonNull(json, "json");
        try {
            return nonNull(MAPPER.readValue(json, type), type);
        } catch (JacksonException e) {
            throw violation(e, () -> MAPPER.createParser(json));
        }
    }

    /** Compact UTF-8 JSON. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(Objects.requireNonNull(value, "value"));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /** Compact JSON text. */
    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(Objects.requireNonNull(value, "value"));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Indented JSON for files people read (manifest.json, golden samples): two spaces,
     * "\n" line ends on every platform, no trailing newline.
     */
    public static String writePrettyString(Object value) {
        try {
            return PRETTY.writeValueAsString(Objects.requireNonNull(value, "value"));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * A mapper configured exactly like the one behind {@link #read} and {@link #write}, for
     * frameworks that need an ObjectMapper. A fresh copy each call, so nobody can reconfigure
     * the shared one; translate its exceptions with {@link JacksonViolations#from}.
     */
    public static JsonMapper mapper() {
        return MAPPER.copy();
    }

    private static JsonMapper newMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_DOCUMENT_LENGTH)
                        .maxNumberLength(64)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Keep the token an error was raised at even after the read closed the parser:
                // the violation reports what was found there.
                .disable(StreamReadFeature.CLEAR_CURRENT_TOKEN_ON_CLOSE)
                .build();
        return JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                // Registered after JavaTimeModule so that it wins: instants only as strings.
                .addModule(new StrictScalars())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
                .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .enable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
                // Tolerate what is new, refuse what is wrong.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT)
                .disable(DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfigDefaults(config -> config
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.TryConvert))
                .withCoercionConfig(LogicalType.Integer, config -> config
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, config -> config
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, config -> config
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Enum, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .build();
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
    }

    private static <T> T nonNull(T value, Class<T> type) {
        if (value == null) {
            throw ContractViolation.wrongType(null, "must be " + JacksonViolations.expected(type) + ", got null");
        }
        return value;
    }

    /**
     * The violation for a failed read. A document that declares a schemaVersion this build does
     * not read is reported as such whatever else is wrong with it: its other "errors" are most
     * likely just the newer schema, and the reason tells operators to upgrade, not to fix data.
     */
    private static ContractViolation violation(JacksonException failure, ParserSource source) {
        ContractViolation violation = JacksonViolations.from(failure);
        if (violation.reason() == RejectionReason.UNSUPPORTED_SCHEMA_VERSION
                || violation.reason() == RejectionReason.INVALID_JSON
                || violation.reason() == RejectionReason.DUPLICATE_FIELD) {
            return violation;
        }
        String declared = declaredSchemaVersion(source);
        if (declared != null && !declared.equals(Integer.toString(SchemaVersions.CURRENT))) {
            return SchemaVersions.unsupported(declared, "schemaVersion");
        }
        return violation;
    }

    /** The top-level schemaVersion as written, if the document has an integer one. Error path only. */
    private static String declaredSchemaVersion(ParserSource source) {
        try (JsonParser p = source.open()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("schemaVersion".equals(name)) {
                    return value == JsonToken.VALUE_NUMBER_INT ? p.getText() : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    /** Instants only as ISO-8601 strings, wire enums only as strings. */
    private static final class StrictScalars extends SimpleModule {

        private static final long serialVersionUID = 1L;

        StrictScalars() {
            super("knowgate-strict-scalars");
            addDeserializer(Instant.class, new InstantDeserializer());
        }

        @Override
        public void setupModule(SetupContext context) {
            super.setupModule(context);
            context.addDeserializers(new WireEnumDeserializers());
        }
    }

    @FunctionalInterface
    private interface ParserSource {
        JsonParser open() throws IOException;
    }
}
