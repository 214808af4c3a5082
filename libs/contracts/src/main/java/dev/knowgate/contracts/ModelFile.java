package dev.knowgate.contracts;

import java.util.regex.Pattern;

/**
 * One file of a model version's folder and its checksum: a model is loaded only after every
 * file's sha256 checks out.
 *
 * @param path   relative to the model folder, forward slashes, no "." or ".." segments
 * @param sha256 64 lower-case hex characters
 * @param bytes  the file size
 */
public record ModelFile(String path, String sha256, long bytes) {

    public static final int MAX_PATH_LENGTH = 512;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelFile {
        Require.line("path", path, MAX_PATH_LENGTH);
        requireContained(path);
        Require.present("sha256", sha256);
        if (!SHA256.matcher(sha256).matches()) {
            throw ContractViolation.invalid("sha256", "must be 64 lower-case hex characters, got " + Require.quote(sha256));
        }
        Require.atLeast("bytes", bytes, 0L);
    }

    /** A path that cannot escape the model folder, whatever the platform resolving it. */
    private static void requireContained(String path) {
        if (path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf(':') >= 0) {
            throw ContractViolation.invalid("path", "must be relative with forward slashes (no leading '/', no '\\', no ':'), got "
                    + Require.quote(path));
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw ContractViolation.invalid("path", "must not contain empty, '.' or '..' segments, got " + Require.quote(path));
            }
        }
    }
}
