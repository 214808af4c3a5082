package dev.knowgate.ingest.submit;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.ingest.auth.Curator;
import dev.knowgate.ingest.auth.Right;
import dev.knowgate.service.problem.ItemError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates the items of one request in order: the contract (strict JSON, required fields, types,
 * lengths, control characters, purpose, schemaVersion), the caller's right to push probes, and
 * duplicates inside the request. Accepted items are stamped with the curator, the submission and the time.
 * Positions are array indexes or NDJSON line numbers, as the request's format uses.
 */
final class SubmissionCheck {

    static final String DUPLICATE = "duplicate";
    static final String FORBIDDEN = "forbidden";

    /** How positions are reported. */
    enum Position { INDEX, LINE }

    private final Curator curator;
    private final String submission;
    private final Instant now;
    private final Position position;
    private final int maxReported;
    private final Map<String, Integer> seen = new HashMap<>();
    private final List<ItemError> reported = new ArrayList<>();
    private int errors;
    private int forbidden;

    SubmissionCheck(Curator curator, String submission, Instant now, Position position, int maxReported) {
        this.curator = curator;
        this.submission = submission;
        this.now = now;
        this.position = position;
        this.maxReported = maxReported;
    }

    /** The stamped example, or empty after recording why the item at {@code at} is refused. */
    Optional<Example> check(byte[] json, int at) {
        Example example;
        try {
            example = ContractJson.read(json, Example.class);
        } catch (ContractViolation v) {
            error(at, v.field(), v.code(), v.getMessage());
            return Optional.empty();
        }
        if (example.purpose() == Purpose.PROBE && !curator.may(Right.PROBE)) {
            forbidden++;
            error(at, "purpose", FORBIDDEN, "this API key may not push probe examples (right 'probe')");
            return Optional.empty();
        }
        Integer first = seen.putIfAbsent(example.id(), at);
        if (first != null) {
            error(at, "id", DUPLICATE, "same example (id " + example.id() + ") as " + describe(first));
            return Optional.empty();
        }
        return Optional.of(example.withCurator(curator.name()).withSubmission(submission).withSubmittedAt(now));
    }

    /** Records a problem with the request at a position that has no parsed item (e.g. a line too long). */
    void error(int at, String field, String reason, String message) {
        errors++;
        if (reported.size() < maxReported) {
            reported.add(position == Position.INDEX
                    ? ItemError.atIndex(at, field, reason, message)
                    : ItemError.atLine(at, field, reason, message));
        }
    }

    boolean failed() {
        return errors > 0;
    }

    /** Every refused item was refused for lack of the probe right only. */
    boolean onlyForbidden() {
        return errors > 0 && errors == forbidden;
    }

    int errorCount() {
        return errors;
    }

    List<ItemError> reported() {
        return List.copyOf(reported);
    }

    int omitted() {
        return errors - reported.size();
    }

    private String describe(int at) {
        return position == Position.INDEX ? "index " + at : "line " + at;
    }
}
