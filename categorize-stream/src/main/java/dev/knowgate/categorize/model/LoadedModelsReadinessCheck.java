package dev.knowgate.categorize.model;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with a live model loaded: without one, examples wait in the batch store. */
@Readiness
@ApplicationScoped
public class LoadedModelsReadinessCheck implements HealthCheck {

    private final LoadedModels models;

    @Inject
    public LoadedModelsReadinessCheck(LoadedModels models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        return models.live()
                .map(m -> HealthCheckResponse.named("live-model").up().withData("model", m.key())
                        .withData("candidates", String.join(",", models.candidateKeys())).build())
                .orElseGet(() -> HealthCheckResponse.named("live-model").down()
                        .withData("reason", "no model version loaded yet").build());
    }
}
