package dev.knowgate.trainer.service;

import dev.knowgate.service.auth.ApiKeyStore;
import dev.knowgate.trainer.TrainerConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The trainer's API keys (by SHA-256 only, the format every service shares): who may steer it. */
@Startup
@ApplicationScoped
public class OperatorKeys {

    /** The right to pause and resume consumption and to start a round (the role {@code @RolesAllowed} checks). */
    public static final String OPERATOR = "operator";

    private static final Logger LOG = Logger.getLogger(OperatorKeys.class);

    private final ApiKeyStore store;

    @Inject
    public OperatorKeys(TrainerConfig config) {
        Map<String, ApiKeyStore.Entry> configured = new HashMap<>();
        config.auth().keys().forEach((name, key) -> configured.put(name, new ApiKeyStore.Entry(key.sha256(), key.rights())));
        this.store = ApiKeyStore.load(configured, config.auth().keysFile(), Set.of(OPERATOR), "knowgate.trainer.auth");
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
