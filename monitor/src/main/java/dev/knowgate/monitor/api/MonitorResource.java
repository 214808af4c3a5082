package dev.knowgate.monitor.api;

import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.ProblemResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.function.Supplier;

/**
 * The monitor's read API, answered from its state stores:
 * GET /v1/versions (rates per version), GET /v1/alerts (active and resolved), GET /v1/mix
 * (category mix of incoming examples per window). 503 with a problem document while the stores start.
 */
@Path("/v1")
@Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
public class MonitorResource {

    private final MonitorQueries queries;

    @Inject
    public MonitorResource(MonitorQueries queries) {
        this.queries = queries;
    }

    @GET
    @Path("/versions")
    public Response versions() {
        return answer(queries::versions);
    }

    @GET
    @Path("/alerts")
    public Response alerts() {
        return answer(queries::alerts);
    }

    @GET
    @Path("/mix")
    public Response mix() {
        return answer(queries::mix);
    }

    private static Response answer(Supplier<Object> query) {
        try {
            return Response.ok(ContractJson.writeString(query.get()), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (MonitorQueries.NotReady e) {
            Response r = ProblemResponse.of(503, "store-unavailable", "Monitor state not queryable yet", e.getMessage());
            return Response.fromResponse(r).header("Retry-After", "2").build();
        }
    }
}
