package dev.knowgate.contracts.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.FieldPath;
import dev.knowgate.contracts.RejectionReason;
import dev.knowgate.contracts.WireEnum;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * Turns Jackson's exceptions into {@link ContractViolation}s: a reason code, the JSON path of
 * the offending field, and a message that names the field in the document's terms (never a
 * Java class name). Public so that frameworks bound to {@link ContractJson#mapper()} (ingest's
 * REST layer) report errors exactly as the stream apps do.
 */
public final class JacksonViolations {

    /** Jackson's duplicate-key message: the only mark telling it from other syntax errors (a test pins it). */
    private static final String DUPLICATE_FIELD = "Duplicate field '";
    private static final int MAX_SHOWN = 40;

    private JacksonViolations() {
    }

    /**
     * @throws IllegalStateException for an {@link InvalidDefinitionException}: the target type
     *                               cannot be bound at all, a bug in the contracts and not bad input
     */
    public static ContractViolation from(JacksonException e) {
        String path = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : null;

        ContractViolation raised = cause(e, ContractViolation.class);
        if (raised != null) {
            // From a record constructor, an enum factory or one of our deserializers: its field is
            // relative to the value that was being built, which Jackson's path leads to.
            return raised.under(path);
        }
        InvalidDefinitionException definition = cause(e, InvalidDefinitionException.class);
        if (definition != null) {
            throw new IllegalStateException("contract type cannot be bound to JSON: " + definition.getOriginalMessage(), e);
        }
        StreamConstraintsException limits = cause(e, StreamConstraintsException.class);
        if (limits != null) {
            // Raised by the parser, often while skipping an unknown field: no path to report.
            return ContractViolation.tooLong(path, "exceeds the reader's limits: "
                    + firstLine(limits.getOriginalMessage()).replaceAll(", from `[^`]*`", ""));
        }
        InputCoercionException overflow = cause(e, InputCoercionException.class);
        if (overflow != null) {
            return ContractViolation.invalid(path != null ? path : parserPath(overflow.getProcessor()),
                    "is out of range for " + expected(overflow.getTargetType()) + ", got " + shown(overflow.getProcessor()));
        }
        StreamReadException syntax = cause(e, StreamReadException.class);
        if (syntax != null) {
            return fromSyntax(syntax, path);
        }
        if (e instanceof MismatchedInputException mismatch) {
            return fromMismatch(mismatch, path);
        }
        Throwable root = rootCause(e);
        String detail = root != e && root.getMessage() != null ? root.getMessage()
                : e instanceof JsonMappingException mapping ? mapping.getOriginalMessage() : e.getMessage();
        return ContractViolation.invalid(path, "is not acceptable: " + detail);
    }

    private static ContractViolation fromSyntax(StreamReadException e, String databindPath) {
        String original = e.getOriginalMessage();
        String here = parserPath(e.getProcessor());
        if (original != null && original.startsWith(DUPLICATE_FIELD)) {
            return new ContractViolation(RejectionReason.DUPLICATE_FIELD, here, "appears more than once");
        }
        String detail = firstLine(original) + at(e.getLocation());
        return new ContractViolation(RejectionReason.INVALID_JSON, here != null ? here : databindPath, detail);
    }

    private static ContractViolation fromMismatch(MismatchedInputException e, String path) {
        JsonParser parser = e.getProcessor() instanceof JsonParser p ? p : null;
        JsonToken token = parser == null ? null : parser.currentToken();
        Class<?> target = e.getTargetType();

        if (path == null && parser != null && token != null && trailing(parser)) {
            return new ContractViolation(RejectionReason.INVALID_JSON, null,
                    "unexpected content after the end of the document" + at(parser.currentLocation()));
        }
        if (path == null && token == null) {
            return new ContractViolation(RejectionReason.INVALID_JSON, null, "the document is empty");
        }
        if (target != null && target.isPrimitive() && (token == JsonToken.VALUE_NULL || token == JsonToken.END_OBJECT)) {
            // FAIL_ON_NULL_FOR_PRIMITIVES: a required number or boolean that is null or absent.
            return ContractViolation.missing(path);
        }
        if (token == JsonToken.FIELD_NAME) {
            String key = currentName(parser);
            return ContractViolation.invalid(parentOf(path, key), "has key " + ContractViolation.quote(key)
                    + (target != null && target.isEnum() && WireEnum.class.isAssignableFrom(target)
                    ? ", which is not one of " + WireEnum.wireNames(target) : ", which is not allowed"));
        }
        if (token != null && target != null) {
            return ContractViolation.wrongType(path, "must be " + expected(target) + ", got " + actual(parser, token));
        }
        return ContractViolation.invalid(path, "is not acceptable: " + e.getOriginalMessage());
    }

    /** After a complete root value the parser has moved on to another root-level token. */
    private static boolean trailing(JsonParser parser) {
        JsonStreamContext context = parser.getParsingContext();
        JsonToken token = parser.currentToken();
        boolean opensNested = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
        JsonStreamContext root = opensNested ? context.getParent() : context;
        return root != null && root.inRoot() && root.getCurrentIndex() > 0;
    }

    /** What a field of this Java type looks like in JSON. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type == String.class || type == CharSequence.class || type == char.class || type == Character.class
                || type.isEnum()) {
            return "a string";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 timestamp string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == BigInteger.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == BigDecimal.class || type == Number.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String actual(JsonParser parser, JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + shown(parser);
            case VALUE_TRUE, VALUE_FALSE -> "boolean " + token.asString();
            case VALUE_NULL -> "null";
            default -> "nothing";
        };
    }

    private static String shown(Object processor) {
        if (!(processor instanceof JsonParser parser)) {
            return "a number";
        }
        try {
            String text = parser.getText();
            return text == null ? "nothing" : text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
        } catch (Exception unreadable) {
            return "an unreadable value";
        }
    }

    /** Jackson's reference path as "verdict.pGreedy", "aliases[2]"; null for the document itself. */
    static String path(List<JsonMappingException.Reference> references) {
        String path = null;
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                path = FieldPath.member(path, reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path = FieldPath.index(path, reference.getIndex());
            }
        }
        return path;
    }

    /** The path of the value {@code parser} is in, for {@link StrictUtf8}. */
    static String contextPath(JsonParser parser) {
        return parserPath(parser);
    }

    /** Where the parser was: the path of the value it was reading when it failed. */
    private static String parserPath(Object processor) {
        if (!(processor instanceof JsonParser parser)) {
            return null;
        }
        Deque<JsonStreamContext> chain = new ArrayDeque<>();
        for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            chain.push(c);
        }
        String path = null;
        for (JsonStreamContext c : chain) {
            if (c.inObject() && c.getCurrentName() != null) {
                path = FieldPath.member(path, c.getCurrentName());
            } else if (c.inArray() && c.getCurrentIndex() >= 0 && c.getEntryCount() > 0) {
                path = FieldPath.index(path, c.getCurrentIndex());
            }
        }
        return path;
    }

    /** A bad map key is reported on the map; Jackson's path may or may not end with the key. */
    private static String parentOf(String path, String key) {
        if (path == null || key == null) {
            return path;
        }
        String asMember = FieldPath.member("", key);
        String suffix = asMember.startsWith("[") ? asMember : "." + asMember;
        return path.endsWith(suffix) ? path.substring(0, path.length() - suffix.length()) : path;
    }

    private static String currentName(JsonParser parser) {
        try {
            return parser.currentName();
        } catch (Exception unreadable) {
            return null;
        }
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "malformed input";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
