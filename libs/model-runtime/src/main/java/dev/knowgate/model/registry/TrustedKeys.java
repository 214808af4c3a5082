package dev.knowgate.model.registry;

import dev.knowgate.contracts.ModelVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;

import static dev.knowgate.model.registry.ModelFolderException.Problem;

/**
 * The public keys whose manifest signatures a reader accepts: one PEM file with one or more
 * "PUBLIC KEY" blocks (Ed25519), so that a rotated key's versions stay loadable while the old key
 * is still listed.
 */
public final class TrustedKeys {

    static final String TYPE = "PUBLIC KEY";
    private final List<PublicKey> keys;
    private final String source;

    private TrustedKeys(List<PublicKey> keys, String source) {
        this.keys = List.copyOf(keys);
        this.source = source;
    }

    /** Every key of the file; a file without one, or with a key that is not Ed25519, is an error. */
    public static TrustedKeys load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no trusted keys file at " + file);
        }
        List<PublicKey> keys = new ArrayList<>();
        for (byte[] der : Pem.read(file, TYPE)) {
            try {
                keys.add(KeyFactory.getInstance(ManifestSignature.ALGORITHM).generatePublic(new X509EncodedKeySpec(der)));
            } catch (GeneralSecurityException e) {
                throw new IOException(file + ": key " + (keys.size() + 1) + " is not an Ed25519 public key: " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IOException(file + " holds no '-----BEGIN " + TYPE + "-----' block");
        }
        return new TrustedKeys(keys, file.toString());
    }

    /** These keys and {@code other}'s. */
    public TrustedKeys and(TrustedKeys other) {
        List<PublicKey> all = new ArrayList<>(keys);
        all.addAll(other.keys);
        return new TrustedKeys(all, source + ", " + other.source);
    }

    public int size() {
        return keys.size();
    }

    /**
     * Checks that the folder's manifest.sig is a signature of its manifest.json by one of these keys.
     * Call after {@link ModelFolder#open}, which checks the files against the manifest.
     */
    public void verify(ModelFolder folder) throws ModelFolderException {
        Path dir = folder.dir();
        Path sigFile = dir.resolve(ManifestSignature.FILE);
        String key = folder.manifest().key();
        if (!Files.isRegularFile(sigFile)) {
            throw new ModelFolderException(Problem.UNSIGNED, ManifestSignature.FILE,
                    key + " at " + dir + " has no " + ManifestSignature.FILE + ": the registry signs every version it installs", null);
        }
        try {
            byte[] signature = ManifestSignature.read(sigFile);
            if (signature == null) {
                throw new ModelFolderException(Problem.UNSIGNED, ManifestSignature.FILE,
                        key + ": " + ManifestSignature.FILE + " does not hold an ed25519 signature", null);
            }
            if (!anyVerifies(ManifestSignature.message(dir), signature)) {
                throw new ModelFolderException(Problem.BAD_SIGNATURE, ModelVersion.MANIFEST_FILE, key + ": no trusted key ("
                        + source + ") verifies the signature of its " + ModelVersion.MANIFEST_FILE
                        + ": changed after signing, or signed by another key", null);
            }
        } catch (IOException e) {
            throw new ModelFolderException(Problem.UNREADABLE, ManifestSignature.FILE,
                    key + ": cannot read " + ManifestSignature.FILE + ": " + e.getMessage(), e);
        }
    }

    boolean anyVerifies(byte[] message, byte[] signature) {
        for (PublicKey k : keys) {
            if (ManifestSignature.verifies(message, signature, k)) {
                return true;
            }
        }
        return false;
    }
}
