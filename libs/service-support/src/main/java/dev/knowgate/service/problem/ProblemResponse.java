package dev.knowgate.service.problem;

import dev.knowgate.contracts.json.ContractJson;
import jakarta.ws.rs.core.Response;

/**
 * Every service's error answer: a {@link Problem} as {@code application/problem+json}, with the problem's status.
 */
public final class ProblemResponse {

    public static final String PROBLEM_JSON = "application/problem+json";
    /** Where the project's problem types live: a type URI is this plus the problem's slug. */
    public static final String TYPES = "https://knowgate.dev/problems/";

    private ProblemResponse() {
    }

    /** {@code slug} names the kind of problem ("verdict-not-found"); it becomes the type URI. */
    public static Response of(int status, String slug, String title, String detail) {
        return of(new Problem(TYPES + slug, title, status, detail, null, null));
    }

    public static Response of(Problem problem) {
        return Response.status(problem.status()).type(PROBLEM_JSON).entity(ContractJson.writeString(problem)).build();
    }
}
