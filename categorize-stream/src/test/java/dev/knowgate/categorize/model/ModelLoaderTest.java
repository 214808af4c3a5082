package dev.knowgate.categorize.model;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.categorize.TestRegistry;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ManifestSigner;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static dev.knowgate.categorize.TestRegistry.announcement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A version loads only when it comes from the registry (its own folder there, signed by a trusted
 * key), its folder checks out and is the version announced, and its logits cover its tokenizer.
 */
class ModelLoaderTest {

    @TempDir
    Path tmp;
    TestRegistry registry;
    ModelLoader loader;

    @BeforeEach
    void registry() throws Exception {
        registry = TestRegistry.create(tmp.resolve("registry"), tmp.resolve("keys"));
        loader = new ModelLoader(RuntimeOptions.cpu(), SlickConfig.paper(), SlickMethod.EXACT, SampledOptions.defaults(),
                registry.origin());
    }

    private void refused(ModelVersion version, String reason, String... message) {
        Throwable refusal = org.assertj.core.api.Assertions.catchThrowable(() -> loader.load(version));
        assertThat(refusal).isInstanceOf(ModelRefusedException.class);
        assertThat(((ModelRefusedException) refusal).reason()).as(refusal.getMessage()).isEqualTo(reason);
        if (message.length > 0) {
            assertThat(refusal.getMessage()).contains(message);
        }
    }

    @Test
    void aSignedVersionLoadsFromItsRegistryFolder() throws Exception {
        Path v2 = registry.copyAs("knowgate-base", 2);
        try (ServingModel m = loader.load(announcement(v2))) {
            assertThat(m.key()).isEqualTo("knowgate-base@2");
            assertThat(m.maxPositions()).isEqualTo(128);
        }
        // Without a location, the registry's folder for the version is the one.
        try (ServingModel m = loader.load(ModelFolder.open(v2).manifest())) {
            assertThat(m.key()).isEqualTo("knowgate-base@2");
        }
    }

    /**
     * A Llama-architecture export in optimum's layout (grouped-query attention, fp16 weights in
     * model.onnx_data, config.json), with Mistral 7B's tokenizer and a newline terminator, installed as
     * an hf-causal-lm version: it loads through the service's path and categorizes with the KV cache.
     */
    @Test
    void aLlamaExportInOptimumsLayoutLoadsAndCategorizes() throws Exception {
        Path dir = registry.folder("micro-llama", 1);
        LlamaConfig shape = LlamaConfig.of(32_000, 32, 64, 2, 4, 2, 200, true);
        LlamaOnnxWriter.write(LlamaWeights.random(shape, 5L, 0.3, 0.1),
                new LlamaOnnxWriter.Options(true, LlamaOnnxWriter.Precision.FP16), dir);
        Files.copy(Path.of("..", "models", "tokenizers", "mistral-7b-v0.1", "tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(TestModels.base().resolve(ExemplarFile.FILE_NAME), dir.resolve(ExemplarFile.FILE_NAME));
        ModelVersion base = ModelFolder.open(TestModels.base()).manifest();
        ModelFolder.seal(dir, files -> new ModelVersion(base.schemaVersion(), "micro-llama", 1, null, "hf-causal-lm",
                files, base.promptTemplate(), "\n", Instant.now(), null, null));
        registry.signer().sign(dir);

        try (ServingModel m = loader.load(announcement(dir))) {
            assertThat(m.key()).isEqualTo("micro-llama@1");
            assertThat(m.maxPositions()).as("max_position_embeddings of config.json").isEqualTo(200);
            List<SlickQuestion> questions = List.of(
                    new SlickQuestion("ex-1", "capital_of", "What is the capital of Veldoria?", "Marrow", List.of()),
                    new SlickQuestion("ex-2", "born_in", "Where was Ada Quill born?", "Tessin", List.of("Tessin City")));
            List<SlickResult> results = m.categorizer().categorize(questions);
            assertThat(results).hasSize(2).allSatisfy(r -> {
                assertThat(r.category()).isNotNull();
                assertThat(r.pGreedy()).isBetween(0.0, 1.0);
            });
        }
    }

    /** Sealed correctly, but its tokenizer emits ids the logits do not have: it used to go live. */
    @Test
    void aVersionWhoseLogitsDoNotCoverItsTokenizerIsRefused() throws Exception {
        Path v2 = registry.withTokenizerBeyondTheModel("knowgate-base", 2, 5);
        refused(announcement(v2), "vocabulary_mismatch", "knowgate-base@2", "tokenizer has ids up to");
    }

    @Test
    void aTamperedFileIsRefusedNamingTheFile() throws Exception {
        Path v2 = registry.copyAs("knowgate-base", 2);
        ModelVersion version = announcement(v2);
        byte[] onnx = Files.readAllBytes(v2.resolve("model.onnx"));
        onnx[onnx.length / 2] ^= 0x01;
        Files.write(v2.resolve("model.onnx"), onnx);
        refused(version, "checksum_mismatch", "model.onnx");
    }

    @Test
    void aMissingFileIsRefused() throws Exception {
        Path v2 = registry.copyAs("knowgate-base", 2);
        ModelVersion version = announcement(v2);
        Files.delete(v2.resolve("tokenizer.json"));
        refused(version, "missing_file", "tokenizer.json");
    }

    @Test
    void aRegistryFolderHoldingAnotherVersionIsRefused() throws Exception {
        Path v2 = registry.copyAs("knowgate-base", 2);
        ModelVersion v2Manifest = ModelFolder.open(v2).manifest();
        // knowgate-base@3 announced, and its registry folder holds a signed @2.
        Path v3 = registry.folder("knowgate-base", 3);
        Files.move(v2, v3);
        ModelVersion claimsV3 = new ModelVersion(v2Manifest.schemaVersion(), "knowgate-base", 3, 2L, v2Manifest.architecture(),
                v2Manifest.files(), v2Manifest.promptTemplate(), v2Manifest.answerTerminator(), v2Manifest.createdAt(), null,
                v3.toString());
        refused(claimsV3, "version_mismatch", "holds knowgate-base@2");
    }

    // ---- origin: the attacks of issue 19 item 2 ----

    /** A correct, sealed (even signed) folder announced from outside the registry never loads. */
    @Test
    void aVersionAnnouncedFromOutsideTheRegistryIsRefused() throws Exception {
        Path elsewhere = TestModels.copyAs(tmp.resolve("elsewhere").resolve("knowgate-base").resolve("2"), "knowgate-base", 2);
        registry.signer().sign(elsewhere);
        refused(announcement(elsewhere), "outside_registry", "knowgate-base@2", "not the registry's folder", elsewhere.toString());
        refused(announcement(elsewhere).withLocation("file://" + elsewhere), "outside_registry");
        refused(announcement(elsewhere).withLocation(registry.root() + "/knowgate-base/../../elsewhere/knowgate-base/2"),
                "outside_registry");
    }

    /** A link in the registry that leads out of it is outside too. */
    @Test
    void aLinkInTheRegistryToAFolderElsewhereIsRefused() throws Exception {
        Path elsewhere = TestModels.copyAs(tmp.resolve("elsewhere-2"), "knowgate-base", 2);
        registry.signer().sign(elsewhere);
        Path link = registry.folder("knowgate-base", 7);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, elsewhere);
        refused(announcement(elsewhere).withLocation(link.toString()), "outside_registry");
    }

    @Test
    void anUnsignedVersionInTheRegistryIsRefused() throws Exception {
        Path v2 = TestModels.copyAs(registry.folder("knowgate-base", 2), "knowgate-base", 2);
        refused(announcement(v2), "unsigned", "knowgate-base@2", "manifest.sig");
    }

    @Test
    void aVersionSignedByAnUntrustedKeyIsRefused() throws Exception {
        Path v2 = TestModels.copyAs(registry.folder("knowgate-base", 2), "knowgate-base", 2);
        ManifestSigner.generate(tmp.resolve("other/signing.key"), tmp.resolve("other/signing.pub")).sign(v2);
        refused(announcement(v2), "bad_signature", "knowgate-base@2", "no trusted key");
    }

    /** Files and manifest changed consistently after signing: checksums agree, the signature does not. */
    @Test
    void aManifestChangedAfterSigningIsRefused() throws Exception {
        Path v2 = registry.copyAs("knowgate-base", 2);
        Files.writeString(v2.resolve("exemplars.jsonl"), "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        ModelVersion resealed = ModelFolder.seal(v2, files -> {
            try {
                ModelVersion m = ModelFolder.open(TestModels.base()).manifest();
                return new ModelVersion(m.schemaVersion(), "knowgate-base", 2, 1L, m.architecture(), files, m.promptTemplate(),
                        m.answerTerminator(), m.createdAt(), null, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        refused(resealed.withLocation(v2.toString()), "bad_signature");
    }

    @Test
    void withoutItsTrustedKeysFileNothingAnnouncedLoads() throws Exception {
        Path v2 = registry.copyAs("knowgate-base", 2);
        Files.delete(registry.trustedKeys());
        refused(announcement(v2), "unsigned", "no trusted keys file");
    }

    @Test
    void aLoaderWithoutARegistryLoadsOnlyFoldersGivenDirectly() throws Exception {
        ModelLoader direct = new ModelLoader(RuntimeOptions.cpu(), SlickConfig.paper());
        Path v2 = registry.copyAs("knowgate-base", 2);
        assertThatThrownBy(() -> direct.load(announcement(v2))).isInstanceOf(ModelRefusedException.class)
                .extracting(e -> ((ModelRefusedException) e).reason()).isEqualTo("outside_registry");
        try (ServingModel m = direct.load(TestModels.base())) {
            assertThat(m.key()).isEqualTo("knowgate-base@1");
        }
    }

    @Test
    void loadsOnAThreadWithASmallStack() throws Exception {
        // Loading ONNX Runtime needs MBs of native stack; SessionLoader gives it its own thread.
        ModelLoader direct = new ModelLoader(RuntimeOptions.cpu(), SlickConfig.paper());
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread small = new Thread(null, () -> {
            try (ServingModel m = direct.load(TestModels.base())) {
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
