package dev.knowgate.categorize.auth;

import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.service.auth.ApiKeyStore;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The curators' keys as categorize-stream knows them (by SHA-256 only, the format every service
 * shares), loaded once at start: who may read which submission.
 */
@Startup
@ApplicationScoped
public class CuratorKeys {

    /** Read one's own submissions (the right ingest's curators push with). */
    public static final String SUBMIT = "submit";
    /** Read anyone's submissions. */
    public static final String ADMIN = "admin";
    /** Ingest's right to push probes; known here so that ingest's key file loads as it is. */
    static final String PROBE = "probe";

    private static final Logger LOG = Logger.getLogger(CuratorKeys.class);

    private final ApiKeyStore store;

    @Inject
    public CuratorKeys(CategorizeConfig config) {
        Map<String, ApiKeyStore.Entry> configured = new HashMap<>();
        config.auth().keys().forEach((name, key) -> configured.put(name, new ApiKeyStore.Entry(key.sha256(), key.rights())));
        this.store = ApiKeyStore.load(configured, config.auth().keysFile(), Set.of(SUBMIT, ADMIN, PROBE),
                "knowgate.categorize.auth");
        if (store.isEmpty()) {
            LOG.info("no curator keys configured: GET /v1/submissions is refused (knowgate.categorize.auth)");
        } else {
            LOG.infof("%d curator key(s) loaded (knowgate.categorize.auth)", store.size());
        }
    }

    public ApiKeyStore store() {
        return store;
    }
}
