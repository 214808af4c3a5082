package dev.knowgate.model.registry;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static dev.knowgate.model.registry.ModelFolderException.Problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signed versions and key rotation as docs/contracts.md describes them (Signed versions). */
class RegistryOriginTest {

    @TempDir
    Path tmp;
    Path registry;
    Path v2;
    ManifestSigner oldKey;
    ManifestSigner newKey;

    @BeforeEach
    void aSignedVersionInItsRegistryFolder() throws Exception {
        registry = tmp.resolve("registry");
        v2 = Files.createDirectories(registry.resolve("knowgate-base/2"));
        Files.write(v2.resolve("model.onnx"), new byte[]{1, 2, 3});
        ModelFolder.seal(v2, files -> new ModelVersion(SchemaVersions.CURRENT, "knowgate-base", 2, 1L, "knowgate-gpt", files,
                "Q: {question} A:", "<eoa>", Instant.parse("2026-12-05T12:00:00Z"), null, null));
        oldKey = ManifestSigner.generate(tmp.resolve("old/signing.key"), tmp.resolve("old/signing.pub"));
        newKey = ManifestSigner.generate(tmp.resolve("new/signing.key"), tmp.resolve("new/signing.pub"));
        oldKey.sign(v2);
    }

    private Path trusted(String... keys) throws Exception {
        StringBuilder pem = new StringBuilder();
        for (String k : keys) {
            pem.append(Files.readString(tmp.resolve(k + "/signing.pub")));
        }
        return Files.writeString(tmp.resolve(String.join("+", keys) + ".pem"), pem);
    }

    @Test
    void aRotationKeepsTheOldKeysVersionsLoadableWhileTheOldKeyIsListed() throws Exception {
        ModelVersion announced = ModelFolder.open(v2).manifest().withLocation(v2.toString());
        // Both keys listed: what the old key signed still loads, and so does what the new one signs.
        assertThat(RegistryOrigin.of(registry, trusted("old", "new")).open(announced).manifest().key())
                .isEqualTo("knowgate-base@2");
        // The old key removed too early: its versions are refused.
        assertThatThrownBy(() -> RegistryOrigin.of(registry, trusted("new")).open(announced))
                .isInstanceOf(ModelFolderException.class).extracting(e -> ((ModelFolderException) e).problem())
                .isEqualTo(Problem.BAD_SIGNATURE);
        // Signed again with the new key (as the trainer does with the base at start), it loads again.
        newKey.sign(v2);
        assertThat(RegistryOrigin.of(registry, trusted("new")).open(announced).manifest().key()).isEqualTo("knowgate-base@2");
    }

    @Test
    void aSigningKeyKnowsWhetherItsReadersTrustIt() throws Exception {
        assertThat(oldKey.isTrustedBy(TrustedKeys.load(trusted("old", "new")))).isTrue();
        assertThat(oldKey.isTrustedBy(TrustedKeys.load(trusted("new")))).isFalse();
        assertThat(ManifestSigner.load(tmp.resolve("new/signing.key")).isTrustedBy(TrustedKeys.load(trusted("new")))).isTrue();
    }

    @Test
    void keyFilesThatAreNotWhatTheySayAreRefusedWithTheirPath() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "not a key\n");
        assertThatThrownBy(() -> TrustedKeys.load(empty)).hasMessageContaining(empty.toString())
                .hasMessageContaining("PUBLIC KEY");
        assertThatThrownBy(() -> ManifestSigner.load(tmp.resolve("old/signing.pub")))
                .hasMessageContaining("PRIVATE KEY");
        assertThatThrownBy(() -> TrustedKeys.load(tmp.resolve("missing.pem"))).hasMessageContaining("no trusted keys file");
    }

    @Test
    void theSignatureIsNotListedInTheManifestItSigns() throws Exception {
        assertThat(ModelFolder.open(v2).manifest().file(ManifestSignature.FILE)).isEmpty();
        assertThat(Files.isRegularFile(v2.resolve(ManifestSignature.FILE))).isTrue();
    }
}
