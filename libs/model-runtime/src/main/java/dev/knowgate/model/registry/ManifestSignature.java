package dev.knowgate.model.registry;

import dev.knowgate.contracts.ModelVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;

/**
 * The registry's signature of a version: an Ed25519 signature of the exact bytes of its
 * manifest.json, in {@code manifest.sig} beside it. The manifest lists every file with its sha256,
 * so a signature that verifies vouches for every byte a reader loads. The signed message is
 * prefixed with {@link #CONTEXT}, so that the key can sign nothing else that would pass for a
 * manifest signature.
 */
public final class ManifestSignature {

    /** Beside manifest.json; never listed in the manifest, which it signs. */
    public static final String FILE = "manifest.sig";
    static final String ALGORITHM = "Ed25519";
    private static final byte[] CONTEXT = "knowgate model manifest v1\n".getBytes(StandardCharsets.US_ASCII);
    private static final String PREFIX = "ed25519 ";

    private ManifestSignature() {
    }

    /** Signs the folder's manifest.json as it is now, replacing any earlier manifest.sig. */
    static void sign(Path dir, PrivateKey key) throws IOException {
        byte[] signature;
        try {
            signature = signature(message(dir), key);
        } catch (GeneralSecurityException e) {
            throw new IOException("signing " + dir + "/" + ModelVersion.MANIFEST_FILE + " failed: " + e.getMessage(), e);
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.writeString(tmp, PREFIX + Base64.getEncoder().encodeToString(signature) + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The Ed25519 signature of {@code message} by {@code key}. */
    static byte[] signature(byte[] message, PrivateKey key) throws GeneralSecurityException {
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    /** True when {@code key} made {@code signature} over {@code message}. */
    static boolean verifies(byte[] message, byte[] signature, PublicKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The bytes a signature covers: the context, then manifest.json exactly as stored. */
    static byte[] message(Path dir) throws IOException {
        byte[] manifest = Files.readAllBytes(dir.resolve(ModelVersion.MANIFEST_FILE));
        byte[] message = Arrays.copyOf(CONTEXT, CONTEXT.length + manifest.length);
        System.arraycopy(manifest, 0, message, CONTEXT.length, manifest.length);
        return message;
    }

    /** The signature bytes of a manifest.sig, or null when the file does not hold one. */
    static byte[] read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!text.startsWith(PREFIX)) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
