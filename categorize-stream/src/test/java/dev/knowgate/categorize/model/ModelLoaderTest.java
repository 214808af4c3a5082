package dev.knowgate.categorize.model;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SlickConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A version loads only when its folder checks out and is the version announced. */
class ModelLoaderTest {

    static final ModelLoader LOADER = new ModelLoader(RuntimeOptions.cpu(), SlickConfig.paper());

    @TempDir
    Path tmp;

    private static ModelVersion announced(Path dir) throws Exception {
        return ModelFolder.open(dir).manifest().withLocation(dir.toString());
    }

    @Test
    void aGoodVersionLoadsFromItsLocation() throws Exception {
        Path v2 = TestModels.copyAs(tmp.resolve("v2"), "knowgate-base", 2);
        try (ServingModel m = LOADER.load(announced(v2))) {
            assertThat(m.key()).isEqualTo("knowgate-base@2");
            assertThat(m.maxPositions()).isEqualTo(128);
        }
    }

    /** Sealed correctly, but its tokenizer emits ids the logits do not have: it used to go live. */
    @Test
    void aVersionWhoseLogitsDoNotCoverItsTokenizerIsRefused() throws Exception {
        Path v2 = TestModels.withTokenizerBeyondTheModel(tmp.resolve("v2"), "knowgate-base", 2, 5);
        assertThatThrownBy(() -> LOADER.load(announced(v2))).isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("knowgate-base@2").hasMessageContaining("tokenizer has ids up to")
                .extracting(e -> ((ModelRefusedException) e).reason()).isEqualTo("vocabulary_mismatch");
    }

    @Test
    void aTamperedFileIsRefusedNamingTheFile() throws Exception {
        Path v2 = TestModels.copyAs(tmp.resolve("v2"), "knowgate-base", 2);
        ModelVersion version = announced(v2);
        byte[] onnx = Files.readAllBytes(v2.resolve("model.onnx"));
        onnx[onnx.length / 2] ^= 0x01;
        Files.write(v2.resolve("model.onnx"), onnx);
        assertThatThrownBy(() -> LOADER.load(version)).isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("model.onnx")
                .extracting(e -> ((ModelRefusedException) e).reason()).isEqualTo("checksum_mismatch");
    }

    @Test
    void aMissingFileIsRefused() throws Exception {
        Path v2 = TestModels.copyAs(tmp.resolve("v2"), "knowgate-base", 2);
        ModelVersion version = announced(v2);
        Files.delete(v2.resolve("tokenizer.json"));
        assertThatThrownBy(() -> LOADER.load(version)).isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("tokenizer.json")
                .extracting(e -> ((ModelRefusedException) e).reason()).isEqualTo("missing_file");
    }

    @Test
    void aLocationHoldingAnotherVersionIsRefused() throws Exception {
        Path v2 = TestModels.copyAs(tmp.resolve("v2"), "knowgate-base", 2);
        Path v3 = TestModels.copyAs(tmp.resolve("v3"), "knowgate-base", 3);
        ModelVersion claimsV3 = announced(v3).withLocation(v2.toString());
        assertThatThrownBy(() -> LOADER.load(claimsV3)).isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("holds knowgate-base@2")
                .extracting(e -> ((ModelRefusedException) e).reason()).isEqualTo("version_mismatch");
    }

    @Test
    void aVersionWithoutLocationIsRefused() throws Exception {
        ModelVersion noLocation = ModelFolder.open(TestModels.base()).manifest();
        assertThatThrownBy(() -> LOADER.load(noLocation)).isInstanceOf(ModelRefusedException.class)
                .extracting(e -> ((ModelRefusedException) e).reason()).isEqualTo("no_location");
    }

    @Test
    void loadsOnAThreadWithASmallStack() throws Exception {
        // Loading ONNX Runtime needs MBs of native stack; SessionLoader gives it its own thread.
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try (ServingModel m = LOADER.load(TestModels.base())) {
                outcome.set(m.key());
            } catch (Exception e) {
                outcome.set(e);
            }
        }, "small-stack", 512 * 1024);
        small.start();
        small.join();
        assertThat(outcome.get()).isEqualTo("knowgate-base@1");
    }
}
