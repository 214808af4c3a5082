package dev.knowgate.categorize.model;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with a model loaded: without one, examples wait in the batch store. */
@Readiness
@ApplicationScoped
public class LiveModelReadinessCheck implements HealthCheck {

    private final LiveModel live;

    @Inject
    public LiveModelReadinessCheck(LiveModel live) {
        this.live = live;
    }

    @Override
    public HealthCheckResponse call() {
        return live.live()
                .map(m -> HealthCheckResponse.named("live-model").up().withData("model", m.key()).build())
                .orElseGet(() -> HealthCheckResponse.named("live-model").down()
                        .withData("reason", "no model version loaded yet").build());
    }
}
