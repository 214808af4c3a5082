package dev.knowgate.ingest.cli;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What identifies an input file between runs: where it is, how big, when last modified, and a
 * hash of its start. A saved push resumes only for the same fingerprint.
 *
 * @param path          absolute, normalised path
 * @param size          bytes
 * @param lastModified  the file system's modification time
 * @param sha256Head    SHA-256 (hex) of the first {@link #HEAD_BYTES} bytes
 */
public record Fingerprint(String path, long size, Instant lastModified, String sha256Head) {

    public static final int HEAD_BYTES = 64 * 1024;

    public static Fingerprint of(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        long size = Files.size(absolute);
        Instant modified = Files.getLastModifiedTime(absolute).toInstant();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
        byte[] head = new byte[HEAD_BYTES];
        int total = 0;
        try (InputStream in = new FileInputStream(absolute.toFile())) {
            int n;
            while (total < HEAD_BYTES && (n = in.read(head, total, HEAD_BYTES - total)) > 0) {
                total += n;
            }
        }
        sha256.update(head, 0, total);
        return new Fingerprint(absolute.toString(), size, modified, HexFormat.of().formatHex(sha256.digest()));
    }

    /** What differs between the saved fingerprint (this) and the file as it is now; empty when they match. */
    public List<String> differences(Fingerprint now) {
        List<String> out = new ArrayList<>();
        if (!path.equals(now.path)) {
            out.add("path " + path + " -> " + now.path);
        }
        if (size != now.size) {
            out.add("size " + size + " -> " + now.size + " bytes");
        }
        if (!lastModified.equals(now.lastModified)) {
            out.add("modified " + lastModified + " -> " + now.lastModified);
        }
        if (!sha256Head.equals(now.sha256Head)) {
            out.add("content of the first 64 KiB");
        }
        return out;
    }
}
