package dev.knowgate.model.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;

/**
 * The registry's signing key (Ed25519, PKCS#8 PEM as {@code openssl genpkey -algorithm ed25519}
 * writes it). Only the trainer, the registry's one writer, holds it; every reader holds the public
 * half in its trusted keys.
 */
public final class ManifestSigner {

    private static final String TYPE = "PRIVATE KEY";
    private final PrivateKey key;

    private ManifestSigner(PrivateKey key) {
        this.key = key;
    }

    /** Reads the private key from a PEM file. */
    public static ManifestSigner load(Path keyFile) throws IOException {
        List<byte[]> blocks = Pem.read(keyFile, TYPE);
        if (blocks.size() != 1) {
            throw new IOException(keyFile + ": expected one '-----BEGIN " + TYPE + "-----' block (an Ed25519 key in PKCS#8), found "
                    + blocks.size());
        }
        try {
            return new ManifestSigner(KeyFactory.getInstance(ManifestSignature.ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0))));
        } catch (GeneralSecurityException e) {
            throw new IOException(keyFile + ": not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /**
     * Makes a new key pair: the private key in {@code keyFile} (owner-only), the public key in
     * {@code publicKeyFile} (what readers trust).
     */
    public static ManifestSigner generate(Path keyFile, Path publicKeyFile) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ManifestSignature.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is part of every JDK since 15", e);
        }
        Pem.write(publicKeyFile, TrustedKeys.TYPE, pair.getPublic().getEncoded(), false);
        Pem.write(keyFile, TYPE, pair.getPrivate().getEncoded(), true);
        return new ManifestSigner(pair.getPrivate());
    }

    /** Loads the key, or makes a new pair when {@code keyFile} does not exist yet. */
    public static ManifestSigner loadOrGenerate(Path keyFile, Path publicKeyFile) throws IOException {
        return Files.exists(keyFile) ? load(keyFile) : generate(keyFile, publicKeyFile);
    }

    /** Signs the folder's manifest.json as it is now (after {@link ModelFolder#seal}). */
    public void sign(Path folder) throws IOException {
        ManifestSignature.sign(folder, key);
    }

    /** True when one of {@code trusted} verifies what this key signs: a key readers would refuse is caught at start. */
    public boolean isTrustedBy(TrustedKeys trusted) {
        byte[] probe = "knowgate signing key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            return trusted.anyVerifies(probe, ManifestSignature.signature(probe, key));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
