package dev.knowgate.monitor.decide;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.GateEvidence;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.monitor.stream.MonitorQueries;
import dev.knowgate.monitor.gate.PromotionGate;
import dev.knowgate.monitor.rates.VersionRates;
import dev.knowgate.monitor.rates.VersionStatus;
import dev.knowgate.monitor.stream.TopologyProducer;
import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.service.problem.ProblemResponse;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;

/**
 * Decisions by hand and the decision log: {@code POST /v1/versions/{model}/{version}/promote} and
 * {@code .../reject} with {@code {"reason": "..."}} (an operator's API key), and
 * {@code GET /v1/decisions}. A decision by hand goes to models.decisions like the gate's, with the
 * evaluation's evidence when it is complete, and is in force over the gate's ({@code PromotionLedger}).
 */
@Path("/v1")
@Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
public class DecisionsResource {

    private static final Logger LOG = Logger.getLogger(DecisionsResource.class);

    /** The body of a decision by hand. */
    public record DecisionRequest(String reason) {
    }

    @Inject
    MonitorQueries queries;

    @Inject
    DecisionPublisher publisher;

    @Inject
    MonitorConfig config;

    @Inject
    SecurityIdentity identity;

    @GET
    @Path("/decisions")
    public Response decisions() {
        try {
            return Response.ok(ContractJson.writeString(queries.decisions()), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (MonitorQueries.NotReady e) {
            return notReady(e);
        }
    }

    @POST
    @Path("/versions/{model}/{version}/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(OperatorKeys.OPERATOR)
    public Response promote(@PathParam("model") String model, @PathParam("version") String version, String body) {
        return decide(model, version, body, DecisionStatus.PROMOTED);
    }

    @POST
    @Path("/versions/{model}/{version}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(OperatorKeys.OPERATOR)
    public Response reject(@PathParam("model") String model, @PathParam("version") String version, String body) {
        return decide(model, version, body, DecisionStatus.REJECTED);
    }

    private Response decide(String model, String versionText, String body, DecisionStatus status) {
        long version;
        try {
            version = Long.parseLong(versionText);
        } catch (NumberFormatException e) {
            return ProblemResponse.of(404, "version-not-found", "No such version", "'" + versionText + "' is not a version number");
        }
        String reason;
        try {
            DecisionRequest request = ContractJson.read(body == null ? "" : body, DecisionRequest.class);
            reason = request.reason() == null ? "" : request.reason().strip();
        } catch (ContractViolation v) {
            return ProblemResponse.of(400, "invalid-request", "The body is not a decision request",
                    "send {\"reason\": \"...\"}: " + v.getMessage());
        }
        if (reason.isEmpty() || reason.length() > ModelDecision.MAX_REASON_LENGTH) {
            return ProblemResponse.of(422, "reason-required", "A decision by hand needs a reason",
                    "'reason' must hold 1 to " + ModelDecision.MAX_REASON_LENGTH + " characters: it is the audit trail");
        }
        Optional<VersionRates> rates;
        Optional<VersionRates> base;
        try {
            rates = queries.version(model, version);
            base = queries.versions().stream()
                    .filter(r -> r.model().equals(model) && r.status() == VersionStatus.BASE).findFirst();
        } catch (MonitorQueries.NotReady e) {
            return notReady(e);
        }
        if (rates.isEmpty()) {
            return ProblemResponse.of(404, "version-not-found", "No such version",
                    "the monitor knows no version " + version + " of '" + model + "'");
        }
        VersionRates v = rates.get();
        GateEvidence evidence = base.filter(b -> v.complete() && b.complete())
                .map(b -> new PromotionGate(TopologyProducer.gateSettings(config)).evidence(v, b)).orElse(null);
        String by = ModelDecision.BY_OPERATOR + identity.getPrincipal().getName();
        ModelDecision decision;
        try {
            decision = new ModelDecision(model, version, v.parent(), status, by, reason, evidence, Instant.now());
        } catch (ContractViolation e) {
            return ProblemResponse.of(422, "invalid-decision", "The decision is not valid", e.getMessage());
        }
        try {
            publisher.publish(decision);
        } catch (Exception e) {
            LOG.errorf(e, "publishing %s's decision on %s failed", by, decision.key());
            Response r = ProblemResponse.of(503, "broker-unavailable", "The decision was not recorded",
                    "the broker did not acknowledge it: " + e.getMessage() + "; nothing changed, try again");
            return Response.fromResponse(r).header("Retry-After", "5").build();
        }
        LOG.infof("%s %s %s by hand: %s", by, status.wireName(), decision.key(), reason);
        return Response.accepted(ContractJson.writeString(decision)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static Response notReady(MonitorQueries.NotReady e) {
        Response r = ProblemResponse.of(503, "store-unavailable", "Monitor state not queryable yet", e.getMessage());
        return Response.fromResponse(r).header("Retry-After", "2").build();
    }
}
