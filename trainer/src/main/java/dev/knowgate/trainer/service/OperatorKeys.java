package dev.knowgate.trainer.service;

import dev.knowgate.service.auth.ApiKeyStore;
import dev.knowgate.service.auth.OperatorKeysConfig;
import dev.knowgate.trainer.TrainerConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** The trainer's API keys (by SHA-256 only, the format every service shares): who may steer it. */
@Startup
@ApplicationScoped
public class OperatorKeys {

    /** The right to pause and resume consumption and to start a round (the role {@code @RolesAllowed} checks). */
    public static final String OPERATOR = OperatorKeysConfig.OPERATOR;

    private static final Logger LOG = Logger.getLogger(OperatorKeys.class);

    private final ApiKeyStore store;

    @Inject
    public OperatorKeys(TrainerConfig config) {
        this.store = OperatorKeysConfig.load(config.auth(), "knowgate.trainer.auth");
        if (store.isEmpty()) {
            LOG.info("no operator keys configured: pausing, resuming and starting rounds through the API is refused"
                    + " (knowgate.trainer.auth)");
        } else {
            LOG.infof("%d operator key(s) loaded", store.size());
        }
    }

    ApiKeyStore store() {
        return store;
    }
}
