package dev.knowgate.trainer.service;

import dev.knowgate.service.problem.ProblemResponse;
import dev.knowgate.trainer.round.RoundLoop;
import dev.knowgate.trainer.round.RoundRecord;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/**
 * The rounds: GET /v1/rounds (newest first), GET /v1/rounds/{id}, POST /v1/rounds (start a round
 * now with what is pending: 202, or 409 when nothing is pending or a round is running).
 */
@Path("/v1/rounds")
@Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
public class RoundsResource {

    private final TrainerService trainer;

    @Inject
    public RoundsResource(TrainerService trainer) {
        this.trainer = trainer;
    }

    @GET
    public List<RoundRecord> list() {
        return trainer.history().newestFirst();
    }

    @GET
    @Path("/{id}")
    public Response show(@PathParam("id") String id) {
        return trainer.history().get(id).map(r -> Response.ok(r).build())
                .orElseGet(() -> ProblemResponse.of(404, "round-not-found", "No such round",
                        "no round '" + id + "' since the trainer started"));
    }

    @RolesAllowed(OperatorKeys.OPERATOR)
    @POST
    public Response trigger() {
        RoundLoop loop = trainer.loop();
        RoundLoop.Status s = loop == null ? null : loop.status();
        if (s == null || !s.started()) {
            return ProblemResponse.of(503, "trainer-starting", "Trainer not started", "the trainer is still starting");
        }
        if (s.roundInProgress() != null) {
            return ProblemResponse.of(409, "round-in-progress", "A round is running",
                    "round " + s.roundInProgress() + " is running; try again when it ends");
        }
        if (s.paused()) {
            return ProblemResponse.of(409, "consumption-paused", "Consumption is paused",
                    "resume consumption first (POST /v1/consumption/resume): " + s.pauseReason());
        }
        if (!loop.trigger()) {
            return ProblemResponse.of(409, "nothing-pending", "No examples pending",
                    "no accepted example is waiting for a round");
        }
        return Response.accepted(Map.of("triggered", true, "pending", s.pending())).build();
    }
}
