package dev.knowgate.ingest.auth;

import dev.knowgate.ingest.IngestConfig;
import dev.knowgate.service.auth.ApiKeyStore;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * ingest's API keys ({@link ApiKeyStore}: by their SHA-256 only), loaded once at start from
 * configuration and the optional keys file; a malformed entry stops the start with a message naming it.
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final ApiKeyStore store;

    @Inject
    public ApiKeys(IngestConfig config) {
        Map<String, ApiKeyStore.Entry> configured = new HashMap<>();
        config.auth().keys().forEach((curator, key) -> configured.put(curator, new ApiKeyStore.Entry(key.sha256(), key.rights())));
        Set<String> known = EnumSet.allOf(Right.class).stream().map(r -> r.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        this.store = ApiKeyStore.load(configured, config.auth().keysFile().map(Path::of), known, "knowgate.ingest.auth");
        if (store.isEmpty()) {
            LOG.warn("no API keys configured: every request to /v1 will be refused (see knowgate.ingest.auth)");
        } else {
            LOG.infof("%d API key(s) loaded", store.size());
        }
    }

    /** The keys themselves, for the identity provider. */
    public ApiKeyStore store() {
        return store;
    }
}
