package dev.knowgate.service.worker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while every supervised worker runs or is backing off; DOWN once one was given up on, so the
 * process is restarted instead of staying UP with a dead thread.
 */
@Liveness
@ApplicationScoped
public class WorkersLiveness implements HealthCheck {

    static final String NAME = "workers";

    @Inject
    Workers workers;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).up();
        for (Supervisor s : workers.all()) {
            Supervisor.State state = s.state();
            if (state instanceof Supervisor.State.GaveUp gaveUp) {
                response.down().withData(s.name(), "gave up after " + gaveUp.failures() + " failures: " + gaveUp.lastError());
            } else if (state instanceof Supervisor.State.BackingOff b) {
                response.withData(s.name(), "restarting after failure " + b.failures() + ": " + b.lastError());
            } else if (state instanceof Supervisor.State.Running r) {
                response.withData(s.name(), r.restarts() == 0 ? "running" : "running, restarted " + r.restarts() + " times");
            } else {
                response.withData(s.name(), "stopped");
            }
        }
        return response.build();
    }
}
