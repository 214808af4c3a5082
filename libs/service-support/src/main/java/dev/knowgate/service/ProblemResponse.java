package dev.knowgate.service;

import dev.knowgate.contracts.json.ContractJson;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plain RFC 9457 problem document ({@code application/problem+json}) for the services' small REST
 * APIs: type, title, status and detail. (ingest's request validation has its own, richer document
 * with item errors.)
 */
public final class ProblemResponse {

    public static final String PROBLEM_JSON = "application/problem+json";
    public static final String TYPES = "https://knowgate.dev/problems/";

    private ProblemResponse() {
    }

    /** {@code slug} names the kind of problem ("verdict-not-found"); it becomes the type URI. */
    public static Response of(int status, String slug, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPES + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return Response.status(status).type(PROBLEM_JSON).entity(ContractJson.writeString(body)).build();
    }
}
