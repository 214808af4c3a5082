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

    /**
     * A copy sealed as {@code name@version} whose tokenizer.json has {@code extra} more ids than the
     * model's logits cover: checksums and manifest are right, the version itself is broken.
     */
    public static Path withTokenizerBeyondTheModel(Path dir, String name, long version, int extra) throws IOException {
        copyAs(dir, name, version);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode tokenizer =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        com.fasterxml.jackson.databind.node.ObjectNode vocab = (com.fasterxml.jackson.databind.node.ObjectNode) tokenizer.path("model").path("vocab");
        int next = 0;
        for (com.fasterxml.jackson.databind.JsonNode id : (Iterable<com.fasterxml.jackson.databind.JsonNode>) vocab::elements) {
            next = Math.max(next, id.asInt() + 1);
        }
        for (int i = 0; i < extra; i++) {
            vocab.put("zzextra" + i, next + i);
        }
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
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
        // A later version descends from the base; a first version (another lineage's base) has no parent.
        Long parent = version > base.version() ? base.version() : null;
        ModelFolder.seal(dir, files -> new ModelVersion(base.schemaVersion(), name, version, parent,
                base.architecture(), files, base.promptTemplate(), base.answerTerminator(), Instant.now(), null, null));
        return dir;
    }
}
