package dev.knowgate.trainer.service;

import dev.knowgate.service.problem.ProblemResponse;
import dev.knowgate.trainer.round.RoundLoop;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * GET /v1/consumption: what the trainer is doing (paused, pending examples, the round running, the
 * live version). POST /v1/consumption/pause stops reading examples.accepted and starting rounds (a
 * running round finishes); POST /v1/consumption/resume goes on (and retries a failed round).
 */
@Path("/v1/consumption")
@Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
public class ConsumptionResource {

    private final TrainerService trainer;

    @Inject
    public ConsumptionResource(TrainerService trainer) {
        this.trainer = trainer;
    }

    @GET
    public Response status() {
        RoundLoop loop = trainer.loop();
        if (loop == null) {
            return ProblemResponse.of(503, "trainer-starting", "Trainer not started", "the trainer is still starting");
        }
        return Response.ok(loop.status()).build();
    }

    @RolesAllowed(OperatorKeys.OPERATOR)
    @POST
    @Path("/pause")
    public Response pause() {
        RoundLoop loop = trainer.loop();
        if (loop == null) {
            return ProblemResponse.of(503, "trainer-starting", "Trainer not started", "the trainer is still starting");
        }
        loop.pause("paused through the API");
        return Response.ok(loop.status()).build();
    }

    @RolesAllowed(OperatorKeys.OPERATOR)
    @POST
    @Path("/resume")
    public Response resume() {
        RoundLoop loop = trainer.loop();
        if (loop == null) {
            return ProblemResponse.of(503, "trainer-starting", "Trainer not started", "the trainer is still starting");
        }
        loop.resume();
        return Response.ok(loop.status()).build();
    }
}
