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

class ModelFolderTest {

    @TempDir
    Path tmp;
    Path dir;

    @BeforeEach
    void aSealedVersion() throws Exception {
        dir = Files.createDirectory(tmp.resolve("knowgate-base@1"));
        Files.write(dir.resolve("model.onnx"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{}}");
        Files.createDirectory(dir.resolve("extra"));
        Files.writeString(dir.resolve("extra/exemplars.jsonl"), "{}\n");
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "knowgate-base", 1, null,
                "knowgate-gpt", files, "Q: {question} A:", "<eoa>", Instant.parse("2026-11-22T04:00:00Z"), null, null));
    }

    @Test
    void aSealedFolderOpensWithEveryFileListed() throws Exception {
        ModelFolder folder = ModelFolder.open(dir);

        assertThat(folder.manifest().files()).extracting(f -> f.path())
                .containsExactly("extra/exemplars.jsonl", "model.onnx", "tokenizer.json");
        assertThat(folder.manifest().file("model.onnx")).get().satisfies(f -> {
            assertThat(f.bytes()).isEqualTo(8);
            assertThat(f.sha256()).isEqualTo(ModelFolder.sha256(dir.resolve("model.onnx")));
        });
        assertThat(folder.file("tokenizer.json")).hasContent("{\"model\":{}}");
        assertThatThrownBy(() -> folder.file("other.bin")).hasMessageContaining("other.bin");
    }

    @Test
    void aChangedByteIsRefusedNamingTheFile() throws Exception {
        Files.write(dir.resolve("model.onnx"), new byte[]{1, 2, 3, 4, 5, 6, 7, 9});

        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOfSatisfying(ModelFolderException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.CHECKSUM_MISMATCH);
                    assertThat(e.file()).isEqualTo("model.onnx");
                })
                .hasMessageContaining("model.onnx has sha256");
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        Files.write(dir.resolve("model.onnx"), new byte[]{1, 2, 3});

        assertThatThrownBy(() -> ModelFolder.open(dir)).isInstanceOfSatisfying(ModelFolderException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.SIZE_MISMATCH)).hasMessageContaining("3 bytes");
    }

    @Test
    void aMissingFileIsRefused() throws Exception {
        Files.delete(dir.resolve("extra/exemplars.jsonl"));

        assertThatThrownBy(() -> ModelFolder.open(dir)).isInstanceOfSatisfying(ModelFolderException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.MISSING_FILE);
            assertThat(e.file()).isEqualTo("extra/exemplars.jsonl");
        });
    }

    @Test
    void aFolderWithoutAValidManifestIsRefused() throws Exception {
        Files.writeString(dir.resolve("manifest.json"), "{\"name\":\"knowgate-base\"}");
        assertThatThrownBy(() -> ModelFolder.open(dir)).isInstanceOfSatisfying(ModelFolderException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.INVALID_MANIFEST)).hasMessageContaining("manifest.json");

        Files.delete(dir.resolve("manifest.json"));
        assertThatThrownBy(() -> ModelFolder.open(dir)).isInstanceOfSatisfying(ModelFolderException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.MISSING_MANIFEST));
    }

    @Test
    void aLinkLeadingOutOfTheFolderIsRefused() throws Exception {
        Path outside = Files.write(tmp.resolve("elsewhere.onnx"), Files.readAllBytes(dir.resolve("model.onnx")));
        Files.delete(dir.resolve("model.onnx"));
        Files.createSymbolicLink(dir.resolve("model.onnx"), outside);

        assertThatThrownBy(() -> ModelFolder.open(dir)).isInstanceOfSatisfying(ModelFolderException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.OUTSIDE_FOLDER));
    }
}
