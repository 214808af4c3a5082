package dev.knowgate.service.auth;

import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A service's operator keys as a configuration group ({@code knowgate.<service>.auth}): a file of
 * hashed keys and keys in configuration, in the format every service shares.
 */
public interface OperatorKeysConfig {

    /** The right that {@code @RolesAllowed} checks on the writes operators may make. */
    String OPERATOR = "operator";

    /** A file of hashed keys, one per line: {@code <name> <sha256-hex-of-key> operator}. */
    Optional<Path> keysFile();

    /** Keys from configuration: {@code <prefix>.keys.<name>.sha256} and {@code .rights}. */
    Map<String, Key> keys();

    interface Key {
        /** SHA-256 of the key, hex; the key itself is never stored. */
        String sha256();

        @WithDefault(OPERATOR)
        String rights();
    }

    /** The configured keys, from configuration and the file; {@code prefix} names where they are set, in errors. */
    static ApiKeyStore load(OperatorKeysConfig config, String prefix) {
        Map<String, ApiKeyStore.Entry> configured = new HashMap<>();
        config.keys().forEach((name, key) -> configured.put(name, new ApiKeyStore.Entry(key.sha256(), key.rights())));
        return ApiKeyStore.load(configured, config.keysFile(), Set.of(OPERATOR), prefix);
    }
}
