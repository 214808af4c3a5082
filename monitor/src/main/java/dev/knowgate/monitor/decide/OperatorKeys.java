package dev.knowgate.monitor.decide;

import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.service.auth.ApiKeyStore;
import dev.knowgate.service.auth.OperatorKeysConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;

/** The monitor's API keys (by SHA-256 only, the format every service shares): who may decide by hand. */
@Startup
@ApplicationScoped
public class OperatorKeys {

    /** The right to promote and reject versions by hand (the role {@code @RolesAllowed} checks). */
    public static final String OPERATOR = OperatorKeysConfig.OPERATOR;

    private static final Logger LOG = Logger.getLogger(OperatorKeys.class);

    private final ApiKeyStore store;

    @Inject
    public OperatorKeys(MonitorConfig config) {
        this.store = OperatorKeysConfig.load(config.auth(), "knowgate.monitor.auth");
        if (store.isEmpty()) {
            LOG.info("no operator keys configured: promoting or rejecting versions by hand is refused (knowgate.monitor.auth)");
        } else {
            LOG.infof("%d operator key(s) loaded", store.size());
        }
    }

    ApiKeyStore store() {
        return store;
    }

    public Optional<ApiKeyStore.Holder> lookup(String presentedKey) {
        return store.lookup(presentedKey);
    }
}
