package dev.knowgate.monitor.api;

import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.monitor.stream.MonitorQueries;
import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.service.problem.ProblemResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.function.Supplier;

/**
 * The monitor's read API, answered from its state stores:
 * GET /v1/versions (rates, status and decision per version), GET /v1/alerts (active and resolved),
 * GET /v1/mix (category mix of incoming examples per window), GET /v1/settings (the gate's and the
 * detectors' limits, for the dashboard). 503 with a problem document while the stores start.
 */
@Path("/v1")
@Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
public class MonitorResource {

    private final MonitorQueries queries;
    private final MonitorConfig config;

    /** The limits the page draws: the gate line, the smallest window that is tested. */
    public record Settings(boolean gateEnabled, double maxForgetting, double maxAccuracyDrop, String evaluationTimeout,
                           double forgettingMargin, String unknownShareWindow, int unknownShareMinExamples, long baselineVersion) {
    }

    @Inject
    public MonitorResource(MonitorQueries queries, MonitorConfig config) {
        this.queries = queries;
        this.config = config;
    }

    @GET
    @Path("/settings")
    public Response settings() {
        MonitorConfig.Gate g = config.gate();
        return answer(() -> new Settings(g.enabled(), g.maxForgetting(), g.maxAccuracyDrop(), g.evaluationTimeout().toString(),
                config.flagging().forgettingMargin(), config.unknownShare().window().toString(),
                config.unknownShare().minExamples(), config.baselineVersion()));
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
