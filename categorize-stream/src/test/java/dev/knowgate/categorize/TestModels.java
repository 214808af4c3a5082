package dev.knowgate.categorize;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

/** The shipped base model, and copies of it published as other versions. */
public final class TestModels {

    /** models/knowgate-base-1 at the repository root (tests run in the module folder). */
    public static final Path BASE = Path.of("..", "models", "knowgate-base-1").toAbsolutePath().normalize();

    private TestModels() {
    }

    public static Path base() {
        if (!Files.isRegularFile(BASE.resolve(ModelVersion.MANIFEST_FILE))) {
            throw new IllegalStateException("the shipped base model is missing at " + BASE);
        }
        return BASE;
    }

    /** A copy of the base model's files sealed as {@code name@version} (same weights), in {@code dir}. */
    public static Path copyAs(Path dir, String name, long version) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(base())) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(ModelVersion.MANIFEST_FILE)) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        ModelVersion base;
        try {
            base = ModelFolder.open(base()).manifest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ModelFolder.seal(dir, files -> new ModelVersion(base.schemaVersion(), name, version, base.version(),
                base.architecture(), files, base.promptTemplate(), base.answerTerminator(), Instant.now(), null, null));
        return dir;
    }
}
