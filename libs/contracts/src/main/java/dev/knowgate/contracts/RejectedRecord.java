package dev.knowgate.contracts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A record a stream app could not use, with why, and where to find the original: the value
 * on examples.rejected. Built by code, never by curators, so it normalises (truncates) rather
 * than refuses long text: a rejection must always be recordable.
 *
 * @param reason      machine code: a {@link RejectionReason#code()} or a service-specific snake_case code
 * @param field       JSON path of the offending field, or null when the whole record is at fault
 * @param message     human-readable explanation naming the field
 * @param payload     the original value as text (invalid UTF-8 replaced), truncated to
 *                    {@value #MAX_PAYLOAD_LENGTH} characters; null for a record without a value
 * @param sourceTopic the topic the record was read from
 * @param partition   its partition
 * @param offset      its offset
 * @param rejectedAt  when it was rejected
 */
public record RejectedRecord(
        String reason,
        String field,
        String message,
        String payload,
        String sourceTopic,
        int partition,
        long offset,
        Instant rejectedAt) {

    public static final int MAX_PAYLOAD_LENGTH = 4_096;
    public static final int MAX_MESSAGE_LENGTH = 1_024;
    public static final int MAX_FIELD_LENGTH = 256;
    private static final Pattern REASON_CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    public RejectedRecord {
        Require.present("reason", reason);
        if (!REASON_CODE.matcher(reason).matches()) {
            throw ContractViolation.invalid("reason", "must be a snake_case code of at most 64 characters, got "
                    + Require.quote(reason));
        }
        field = field == null || field.isEmpty() ? null : truncate(field, MAX_FIELD_LENGTH);
        Require.present("message", message);
        message = truncate(message, MAX_MESSAGE_LENGTH);
        payload = payload == null ? null : truncate(payload, MAX_PAYLOAD_LENGTH);
        Require.line("sourceTopic", sourceTopic, 249); // Kafka's own limit on topic names
        Require.atLeast("partition", partition, 0);
        Require.atLeast("offset", offset, 0L);
        Require.present("rejectedAt", rejectedAt);
    }

    /** The rejection of a consumed record whose value broke a contract. */
    public static RejectedRecord of(ContractViolation violation, byte[] payload,
                                    String sourceTopic, int partition, long offset, Instant rejectedAt) {
        return new RejectedRecord(violation.code(), violation.field(), violation.getMessage(),
                payload == null ? null : new String(payload, StandardCharsets.UTF_8),
                sourceTopic, partition, offset, rejectedAt);
    }

    /**
     * Cuts {@code text} to at most {@code limit} characters including a marker that says how
     * long it was. Idempotent (a cut text is within the limit), so round trips are stable.
     */
    static String truncate(String text, int limit) {
        if (text.length() <= limit) {
            return text;
        }
        String marker = "...[truncated, " + text.length() + " characters in all]";
        int keep = limit - marker.length();
        if (Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--; // never split a surrogate pair
        }
        return text.substring(0, keep) + marker;
    }
}
