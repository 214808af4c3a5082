package dev.knowgate.service.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * API keys by their SHA-256, the one key format of every service: keys themselves are never
 * stored, logged or compared in plain text. Entries come from configuration
 * ({@code <prefix>.keys.<name>.sha256} and {@code .rights}) and an optional file of lines
 * {@code <name> <sha256-hex-of-key> <right>[,<right>]}; a malformed entry is an error naming it.
 */
public final class ApiKeyStore {

    /** Who holds a key and what it may do (rights in lower case). */
    public record Holder(String name, Set<String> rights) {

        public Holder {
            rights = Set.copyOf(rights);
        }

        public boolean may(String right) {
            return rights.contains(right);
        }
    }

    /** A key given in configuration: its hash and its rights. */
    public record Entry(String sha256, String rights) {
    }

    public static final String API_KEY_HEADER = "X-Api-Key";
    private static final String BEARER = "Bearer ";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Map<String, Holder> byHash;

    private ApiKeyStore(Map<String, Holder> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /**
     * @param configured  keys from configuration, by holder name
     * @param file        the keys file, if any
     * @param knownRights the rights this service knows (lower case); any other is an error
     * @param prefix      the configuration prefix, for messages ("knowgate.ingest.auth")
     */
    public static ApiKeyStore load(Map<String, Entry> configured, Optional<Path> file, Set<String> knownRights,
                                   String prefix) {
        Map<String, Holder> keys = new HashMap<>();
        configured.forEach((name, e) -> add(keys, name, e.sha256(), e.rights(), knownRights, prefix + ".keys." + name));
        file.ifPresent(f -> readFile(keys, f, knownRights));
        return new ApiKeyStore(keys);
    }

    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    public int size() {
        return byHash.size();
    }

    /** The holder of a presented key, if any. */
    public Optional<Holder> lookup(String presentedKey) {
        return Optional.ofNullable(byHash.get(sha256(presentedKey)));
    }

    /** The key a request presents: {@code Authorization: Bearer <key>} or {@code X-Api-Key: <key>}. */
    public static Optional<String> presentedKey(Function<String, String> header) {
        String authorization = header.apply("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String key = authorization.substring(BEARER.length()).strip();
            return key.isEmpty() ? Optional.empty() : Optional.of(key);
        }
        String plain = header.apply(API_KEY_HEADER);
        return plain == null || plain.isBlank() ? Optional.empty() : Optional.of(plain.strip());
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void readFile(Map<String, Holder> keys, Path file, Set<String> knownRights) {
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
                throw new IllegalStateException(where + ": expected '<name> <sha256-hex> <rights>'");
            }
            add(keys, parts[0], parts[1], parts[2], knownRights, where);
        }
    }

    private static void add(Map<String, Holder> keys, String name, String hash, String rights, Set<String> knownRights,
                            String where) {
        String normalised = hash.strip().toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(normalised).matches()) {
            throw new IllegalStateException(where + ": the key must be given as 64 hex digits of its SHA-256");
        }
        Holder previous = keys.put(normalised, new Holder(name, parseRights(rights, knownRights, where)));
        if (previous != null && !previous.name().equals(name)) {
            throw new IllegalStateException(where + ": the same key is already given to " + previous.name());
        }
    }

    /** A comma-separated list; {@code none} stands for no right (an empty value would mean the default). */
    static Set<String> parseRights(String list, Set<String> known, String where) {
        Set<String> rights = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            String right = name.trim().toLowerCase(Locale.ROOT);
            if (right.isEmpty() || right.equals("none")) {
                continue;
            }
            if (!known.contains(right)) {
                throw new IllegalArgumentException(where + ": unknown right '" + name.trim() + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
            rights.add(right);
        }
        return rights;
    }
}
