package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.ContractViolation;

import java.util.Objects;

/**
 * One input line that was not accepted: invalid locally, refused by the service (422), or a
 * duplicate of an earlier line's id.
 *
 * @param line     1-based line of the input file where the record starts (for CSV: the
 *                 physical line, counting the header as line 1)
 * @param field    the offending field ("answer", "aliases[2]"), or null when the whole line is at fault
 * @param reason   machine code: the contract's codes ({@code missing_field}, {@code invalid_json}, ...),
 *                 {@link #DUPLICATE}, {@link #INVALID_CSV}, or whatever code the service answered
 * @param message  human-readable problem, phrased to follow the field name
 * @param byServer true when the service refused the line (HTTP 422), false when found locally
 */
public record Rejection(long line, String field, String reason, String message, boolean byServer) {

    /** Reason of a line whose id an earlier line of the same file already has. */
    public static final String DUPLICATE = "duplicate";
    /** Reason of a CSV row that cannot be read as one (wrong number of fields, stray quote). */
    public static final String INVALID_CSV = "invalid_csv";

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** The rejection a local contract check raised for {@code line}. */
    public static Rejection of(long line, ContractViolation violation) {
        // The detail follows the field name ("is required", "must be a string, got number 42");
        // without a field the full message stands alone ("invalid JSON: ...").
        String message = violation.field() == null ? violation.getMessage() : violation.detail();
        if (violation.reason() == dev.knowgate.contracts.RejectionReason.MISSING_FIELD && violation.field() != null) {
            message = "is required but missing";
        }
        return new Rejection(line, violation.field(), violation.code(), message, false);
    }

    public boolean duplicate() {
        return DUPLICATE.equals(reason);
    }

    /** "line 12: field answer: is required but missing [missing_field]". */
    public String describe() {
        StringBuilder out = new StringBuilder("line ").append(line).append(": ");
        if (field != null && !field.isEmpty()) {
            out.append("field ").append(field).append(": ");
        }
        out.append(message).append(" [").append(reason);
        if (byServer) {
            out.append(", refused by the service");
        }
        return out.append(']').toString();
    }
}
