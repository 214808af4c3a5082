package dev.knowgate.service.problem;

/**
 * What is wrong with one item of a request: by {@code index} (0-based, JSON arrays) or {@code line}
 * (1-based, NDJSON bodies), the field path, a machine reason and a human message.
 */
public record ItemError(Integer index, Integer line, String field, String reason, String message) {

    public static ItemError atIndex(int index, String field, String reason, String message) {
        return new ItemError(index, null, field, reason, message);
    }

    public static ItemError atLine(int line, String field, String reason, String message) {
        return new ItemError(null, line, field, reason, message);
    }
}
