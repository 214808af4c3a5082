package dev.knowgate.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the pipeline's topics exist: before that, nothing this service writes has a home. */
@Readiness
@ApplicationScoped
public class TopicsReadinessCheck implements HealthCheck {

    static final String NAME = "kafka-topics";

    @Inject
    TopicBootstrap bootstrap;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        TopicBootstrap.State state = bootstrap.state();
        if (state instanceof TopicBootstrap.State.Done done) {
            return response.up()
                    .withData("created", done.report().created().size())
                    .withData("existing", done.report().existing().size())
                    .withData("warnings", done.report().warnings().size())
                    .build();
        }
        if (state instanceof TopicBootstrap.State.Pending pending) {
            return response.down()
                    .withData("lastError", pending.lastError() == null ? "not attempted yet" : pending.lastError())
                    .build();
        }
        return response.up().withData("provisioning", "disabled").build();
    }
}
