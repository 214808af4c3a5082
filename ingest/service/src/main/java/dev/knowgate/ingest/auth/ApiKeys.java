package dev.knowgate.ingest.auth;

import dev.knowgate.ingest.IngestConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The known API keys, by their SHA-256: keys themselves are never stored, logged or compared in
 * plain text. Loaded once at start from configuration and the optional keys file; a malformed
 * entry stops the start with a message naming it.
 */
@Startup
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Map<String, Curator> byHash;

    @Inject
    public ApiKeys(IngestConfig config) {
        Map<String, Curator> keys = new HashMap<>();
        config.auth().keys().forEach((curator, key) ->
                add(keys, curator, key.sha256(), key.rights(), "knowgate.ingest.auth.keys." + curator));
        config.auth().keysFile().map(Path::of).ifPresent(file -> readFile(keys, file));
        this.byHash = Map.copyOf(keys);
        if (byHash.isEmpty()) {
            LOG.warn("no API keys configured: every request to /v1 will be refused (see knowgate.ingest.auth)");
        } else {
            LOG.infof("%d API key(s) loaded", byHash.size());
        }
    }

    /** The curator a presented key belongs to, if any. */
    public Optional<Curator> lookup(String presentedKey) {
        return Optional.ofNullable(byHash.get(sha256(presentedKey)));
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void readFile(Map<String, Curator> keys, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the API keys file " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            String[] parts = line.split("\\s+");
            if (parts.length != 3) {
                throw new IllegalStateException(where + ": expected '<curator> <sha256-hex> <rights>'");
            }
            add(keys, parts[0], parts[1], parts[2], where);
        }
    }

    private static void add(Map<String, Curator> keys, String curator, String hash, String rights, String where) {
        String normalised = hash.strip().toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(normalised).matches()) {
            throw new IllegalStateException(where + ": the key must be given as 64 hex digits of its SHA-256");
        }
        Curator previous = keys.put(normalised, new Curator(curator, Right.parse(rights, where)));
        if (previous != null && !previous.name().equals(curator)) {
            throw new IllegalStateException(where + ": the same key is already given to " + previous.name());
        }
    }
}
