package dev.knowgate.contracts;

import java.util.Objects;
import java.util.Optional;

/**
 * A document or value that breaks a wire contract. Carries a machine-readable
 * {@link #reason()} and the JSON path of the offending {@link #field()}, so that the
 * stream apps can turn it into a {@link RejectedRecord} and ingest into problem details
 * without parsing the message.
 *
 * <p>Extends {@link IllegalArgumentException} because record constructors throw it for bad
 * arguments; Java callers that already handle IAE keep working.
 */
public final class ContractViolation extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED = 64;

    private final RejectionReason reason;
    private final String field;
    private final String detail;

    /**
     * @param reason what kind of problem
     * @param field  JSON path relative to the value being built ("answer", "aliases[2]",
     *               "verdict.pGreedy"), or null when the whole value is at fault
     * @param detail the problem, phrased to follow the field name ("must not be blank")
     */
    public ContractViolation(RejectionReason reason, String field, String detail) {
        super(render(Objects.requireNonNull(reason, "reason"), field, Objects.requireNonNull(detail, "detail")));
        this.reason = reason;
        this.field = field;
        this.detail = detail;
    }

    public static ContractViolation missing(String field) {
        return new ContractViolation(RejectionReason.MISSING_FIELD, field, "is required");
    }

    public static ContractViolation invalid(String field, String detail) {
        return new ContractViolation(RejectionReason.INVALID_VALUE, field, detail);
    }

    public static ContractViolation wrongType(String field, String detail) {
        return new ContractViolation(RejectionReason.WRONG_TYPE, field, detail);
    }

    public static ContractViolation tooLong(String field, String detail) {
        return new ContractViolation(RejectionReason.TOO_LONG, field, detail);
    }

    public RejectionReason reason() {
        return reason;
    }

    /** The machine code, as in {@link RejectedRecord#reason()}. */
    public String code() {
        return reason.code();
    }

    /** JSON path of the offending field, or null when the document as a whole is at fault. */
    public String field() {
        return field;
    }

    /** The problem without the field name, e.g. "must not be blank". */
    public String detail() {
        return detail;
    }

    /** The violation behind {@code failure}, if one is among its causes (Kafka wraps them). */
    public static Optional<ContractViolation> findIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ContractViolation violation) {
                return Optional.of(violation);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** A user value as messages show it: quoted, cut to 64 characters, control characters escaped. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), MAX_QUOTED);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        if (shown < value.length()) {
            out.append("...");
        }
        return out.append('\'').toString();
    }

    /**
     * The same violation seen from an enclosing value: a violation of "pGreedy" raised while
     * building the "verdict" of a categorized example becomes one of "verdict.pGreedy".
     */
    public ContractViolation under(String parentPath) {
        if (parentPath == null || parentPath.isEmpty()) {
            return this;
        }
        String path = field == null ? parentPath
                : field.startsWith("[") ? parentPath + field
                : parentPath + "." + field;
        ContractViolation moved = new ContractViolation(reason, path, detail);
        moved.setStackTrace(getStackTrace());
        return moved;
    }

    private static String render(RejectionReason reason, String field, String detail) {
        return switch (reason) {
            case MISSING_FIELD -> field == null ? "missing required value" : "missing required field '" + field + "'";
            case DUPLICATE_FIELD -> field == null ? "duplicate field" : "duplicate field '" + field + "'";
            case INVALID_JSON -> "invalid JSON" + (field == null ? "" : " at '" + field + "'") + ": " + detail;
            case UNSUPPORTED_SCHEMA_VERSION -> detail;
            case WRONG_TYPE, INVALID_VALUE, TOO_LONG -> (field == null ? "value " : "field '" + field + "' ") + detail;
        };
    }
}
