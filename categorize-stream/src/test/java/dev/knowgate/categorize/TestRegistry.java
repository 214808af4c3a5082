package dev.knowgate.categorize;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ManifestSigner;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.RegistryOrigin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A model registry laid out and signed as the trainer keeps it, {@code <root>/<name>/<version>/}
 * with manifest.sig, and the public key categorize-stream trusts.
 */
public record TestRegistry(Path root, Path trustedKeys, ManifestSigner signer) {

    /** An empty registry at {@code root} (emptied first) with a new key pair in {@code keys}. */
    public static TestRegistry create(Path root, Path keys) throws IOException {
        for (Path p : new Path[] {root, keys}) {
            if (Files.exists(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
        Files.createDirectories(root);
        Path pub = keys.resolve("signing.pub");
        return new TestRegistry(root.toAbsolutePath(), pub.toAbsolutePath(), ManifestSigner.generate(keys.resolve("signing.key"), pub));
    }

    public Path folder(String name, long version) {
        return root.resolve(name).resolve(Long.toString(version));
    }

    /** The base model's files installed and signed as {@code name@version}. */
    public Path copyAs(String name, long version) throws IOException {
        Path dir = TestModels.copyAs(folder(name, version), name, version);
        signer.sign(dir);
        return dir;
    }

    /** A broken version ({@link TestModels#withTokenizerBeyondTheModel}), installed and signed. */
    public Path withTokenizerBeyondTheModel(String name, long version, int extra) throws IOException {
        Path dir = TestModels.withTokenizerBeyondTheModel(folder(name, version), name, version, extra);
        signer.sign(dir);
        return dir;
    }

    /** What the trainer would publish for the folder: its manifest with its location. */
    public static ModelVersion announcement(Path dir) throws Exception {
        return ModelFolder.open(dir).manifest().withLocation(dir.toString());
    }

    public RegistryOrigin origin() {
        return RegistryOrigin.of(root, trustedKeys);
    }
}
