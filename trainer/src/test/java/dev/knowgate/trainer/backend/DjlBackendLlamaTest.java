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
import dev.knowgate.testing.TorchLlamaExport;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The djl backend trains a Llama-architecture hf-causal-lm version (Mistral 7B's BPE tokenizer, a
 * newline terminator, fp16 weights in model.onnx_data, grouped-query attention): the round learns its
 * examples, the new version is written in the parent's layout and precision with the parent's
 * tokenizer, licences and exemplars, and what it learned shows in ONNX Runtime's greedy answers. The
 * same holds for a parent PyTorch exported in optimum's own naming.
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

        Path out = roundLearns(parentDir, FrozenGroups.none());
        LlamaOnnxReader.Result written = LlamaOnnxReader.read(out);
        assertThat(written.options()).as("the parent's layout and precision").isEqualTo(options);
        assertThat(written.weights().config()).isEqualTo(shape);
    }

    /**
     * The parent is a graph PyTorch's exporter wrote with transformers' module names (optimum's own
     * layout: projection weights in anonymous transposed constants, found through the MatMul nodes'
     * names; an untied head): the round starts from its weights, learns, and the new version is
     * written by the project's writer with the parent's shape. Attention is frozen for the round, so
     * its four projections, read from the folded constants, must come back bit for bit.
     */
    @Test
    void aRoundOnAnExportPyTorchWroteStartsFromItsWeightsAndLearns() throws Exception {
        Path parentDir = TorchLlamaExport.write(tmp.resolve("parent"),
                new TorchLlamaExport.Shape(32_000, 32, 64, 2, 4, 2, 96, false), 0.05, 11L);
        LlamaOnnxReader.Result start = LlamaOnnxReader.read(parentDir);
        assertThat(start.options()).isEqualTo(new LlamaOnnxWriter.Options(false, LlamaOnnxWriter.Precision.FP32));

        Path out = roundLearns(parentDir, FrozenGroups.parse(List.of("attention")));
        LlamaOnnxReader.Result written = LlamaOnnxReader.read(out);
        assertThat(written.options()).isEqualTo(start.options());
        assertThat(written.weights().config()).isEqualTo(start.weights().config());
        assertThat(written.weights().config().tieWordEmbeddings()).isFalse();
        int frozen = 0;
        for (String name : start.weights().tensors().keySet()) {
            float[] before = start.weights().get(name).data();
            float[] after = written.weights().get(name).data();
            if (name.contains(".self_attn.")) {
                assertThat(after).as("%s, frozen", name).containsExactly(before);
                frozen++;
            } else if (name.contains(".mlp.")) {
                assertThat(after).as("%s, trained", name).isNotEqualTo(before);
            }
        }
        assertThat(frozen).isEqualTo(4 * 2);
    }

    /**
     * A Qwen2-like export (biases on the query, key and value projections) is not the Llama architecture:
     * the reader the backend starts from refuses it by its config, and, where the config does not say
     * so, by the first bias it finds, instead of training a Llama without them.
     */
    @Test
    void aParentWithProjectionBiasesIsRefusedNotTrainedWithoutThem() throws Exception {
        Path dir = TorchLlamaExport.write(tmp.resolve("qwen-like"),
                new TorchLlamaExport.Shape(320, 32, 64, 2, 4, 2, 96, true, true), 0.05, 3L);
        assertThatThrownBy(() -> LlamaOnnxReader.read(dir)).hasMessageContaining("attention_bias is true");

        Path config = dir.resolve(LlamaConfig.CONFIG_FILE);
        Files.writeString(config, Files.readString(config).replace("\"attention_bias\": true", "\"attention_bias\": false"));
        assertThatThrownBy(() -> LlamaOnnxReader.read(dir))
                .hasMessageContaining("initializer 'model.layers.0.self_attn.q_proj.bias' is a parameter");
    }

    /**
     * Seals {@code parentDir} (a model.onnx and config.json) as micro-llama@1 with Mistral 7B's tokenizer
     * and the base's exemplars, trains a round of 16 facts on it with {@code frozen} held, and checks what
     * every Llama round must do: the round learns its examples, the new version carries the parent's
     * tokenizer, licences and exemplars, and what it learned shows in ONNX Runtime's greedy answers.
     * Returns the new version's folder.
     */
    private Path roundLearns(Path parentDir, FrozenGroups frozen) throws Exception {
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
        DjlBackend backend = new DjlBackend(new FineTuneConfig(30, 8, 1e-2f, 0f, 0, frozen, 30, 1L), 0);
        TrainingOutcome outcome = backend.train(new RoundDataset("r-1", "micro-llama", 2, examples, examples), parent, out);

        assertThat(outcome.devAccuracyBefore()).isZero();
        assertThat(outcome.devAccuracy()).as("teacher-forced accuracy on the round's examples").isGreaterThan(0.5);
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
        return out;
    }
}
