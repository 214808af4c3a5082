package dev.knowgate.ingest.problem;

import dev.knowgate.service.problem.ItemError;
import dev.knowgate.service.problem.Problem;
import dev.knowgate.service.problem.ProblemResponse;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * The kinds of problem ingest's own code answers with; one place for their URIs, titles and statuses. The framework's
 * errors (404, 405, 500) are service-support's {@code ProblemMappers}, the same in every service.
 */
public enum ProblemType {
    INVALID_EXAMPLES(422, "invalid-examples", "Invalid examples"),
    MALFORMED_BODY(400, "malformed-body", "Malformed request body"),
    TOO_LARGE(413, "too-large", "Request too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    /** Probe examples from a key without the right 'probe'; the same type as a refused key (AuthProblems). */
    FORBIDDEN(403, "forbidden", "Not allowed"),
    BROKER_UNAVAILABLE(503, "broker-unavailable", "Kafka did not acknowledge the examples");

    public static final String MEDIA_TYPE = ProblemResponse.PROBLEM_JSON;

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String uri() {
        return ProblemResponse.TYPES + slug;
    }

    public Problem problem(String detail, List<ItemError> errors, int omittedErrors) {
        return new Problem(uri(), title, status, detail, errors, omittedErrors);
    }

    public Response response(String detail) {
        return response(detail, List.of(), 0);
    }

    public Response response(String detail, List<ItemError> errors, int omittedErrors) {
        return ProblemResponse.of(problem(detail, errors, omittedErrors));
    }
}
