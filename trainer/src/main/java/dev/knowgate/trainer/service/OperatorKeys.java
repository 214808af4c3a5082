package dev.knowgate.trainer.service;

import dev.knowgate.trainer.TrainerConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The trainer's operator keys: who may pause and resume consumption and start a round. */
@Startup
@ApplicationScoped
public class OperatorKeys extends dev.knowgate.service.auth.OperatorKeys {

    @Inject
    public OperatorKeys(TrainerConfig config) {
        super(config.auth(), "knowgate.trainer.auth", "pausing, resuming and starting rounds through the API is refused");
    }
}
