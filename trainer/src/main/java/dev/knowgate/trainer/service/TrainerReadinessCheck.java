package dev.knowgate.trainer.service;

import dev.knowgate.trainer.round.RoundLoop;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * "trainer": ready when the backend can train (PyTorch loads, or the command is executable) and the
 * round loop has recovered and is consuming; paused consumption is reported but still ready.
 */
@Readiness
@ApplicationScoped
public class TrainerReadinessCheck implements HealthCheck {

    private final TrainerService trainer;

    @Inject
    public TrainerReadinessCheck(TrainerService trainer) {
        this.trainer = trainer;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("trainer");
        if (trainer.backend() == null || trainer.loop() == null) {
            return b.down().withData("reason", "starting").build();
        }
        b.withData("backend", trainer.backend().kind());
        var unavailable = trainer.backend().unavailable();
        RoundLoop.Status s = trainer.loop().status();
        if (s.startupError() != null) {
            return b.down().withData("reason", s.startupError()).build();
        }
        if (unavailable.isPresent()) {
            return b.down().withData("reason", unavailable.get()).build();
        }
        if (!s.started()) {
            return b.down().withData("reason", "recovering and joining the consumer group").build();
        }
        b.withData("live", String.valueOf(s.liveVersion())).withData("pending", s.pending()).withData("paused", s.paused());
        if (s.pauseReason() != null) {
            b.withData("pauseReason", s.pauseReason());
        }
        return b.up().build();
    }
}
