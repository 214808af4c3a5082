package dev.knowgate.monitor.decide;

import dev.knowgate.monitor.MonitorConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The monitor's operator keys: who may promote and reject versions by hand. */
@Startup
@ApplicationScoped
public class OperatorKeys extends dev.knowgate.service.auth.OperatorKeys {

    @Inject
    public OperatorKeys(MonitorConfig config) {
        super(config.auth(), "knowgate.monitor.auth", "promoting or rejecting versions by hand is refused");
    }
}
