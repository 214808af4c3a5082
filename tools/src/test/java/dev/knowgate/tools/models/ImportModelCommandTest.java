package dev.knowgate.tools.models;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.llama.ReferenceLlama;
import dev.knowgate.model.onnx.LlamaOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.RegistryOrigin;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.testing.KafkaBroker;
import dev.knowgate.testing.TorchLlamaExport;
import dev.knowgate.testing.TopicContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * bin/import-model on folders laid out as optimum's text-generation-with-past export of a Llama
 * (written by the project's own writer: no model hub here), with Mistral 7B's tokenizer: a good
 * export becomes a sealed, signed, loadable version; exports the services could not serve are
 * refused with the reason, and nothing is left behind.
 */
class ImportModelCommandTest {

    private static final Path TOKENIZER = Path.of("..", "models", "tokenizers", "mistral-7b-v0.1", "tokenizer.json");
    private static final Path EXEMPLARS = Path.of("..", "models", "knowgate-base-1", "exemplars.jsonl");
    private static final LlamaConfig SHAPE = LlamaConfig.of(32_000, 32, 64, 2, 4, 2, 256, true);

    @TempDir
    Path tmp;

    private Path export(String name) throws Exception {
        return export(name, LlamaOnnxWriter.Precision.FP32);
    }

    private Path export(String name, LlamaOnnxWriter.Precision precision) throws Exception {
        Path dir = tmp.resolve(name);
        LlamaOnnxWriter.write(LlamaWeights.random(SHAPE, 3L, 0.3, 0.1), new LlamaOnnxWriter.Options(true, precision), dir);
        Files.copy(TOKENIZER, dir.resolve(ModelTokenizer.TOKENIZER_FILE));
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        Files.writeString(dir.resolve("README.md"), "not part of the model"); // left behind
        Files.writeString(dir.resolve("LICENSE"), "the model's terms"); // carried with the weights
        return dir;
    }

    /** Runs the command; returns exit code, stdout and stderr. */
    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(new ImportModelCommand()).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void anOptimumLayoutExportBecomesASealedSignedLoadableVersion() throws Exception {
        Path source = export("smol-export");
        Path out = tmp.resolve("versions").resolve("smol-1");
        String[] r = run(source.toString(), "--name", "smol", "--exemplars", EXEMPLARS.toString(), "--out", out.toString(),
                "--registry", tmp.resolve("registry").toString(), "--signing-key", tmp.resolve("keys/k").toString(),
                "--public-key", tmp.resolve("keys/k.pub").toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("smol@1: llama, 2 layers, hidden 32, 2 key/value heads, vocab 32000, 256 positions")
                .contains("model.onnx_data").contains("float32 logits and cache").contains("answer terminator \\n is id 13")
                .contains("the cache decodes what recomputation decodes")
                .contains("to run the pipeline on it: bin/run --model " + out + " --fresh");

        ModelVersion m = ModelFolder.open(out).manifest();
        assertThat(m.architecture()).isEqualTo("hf-causal-lm");
        assertThat(m.answerTerminator()).isEqualTo("\n");
        assertThat(m.promptTemplate()).isEqualTo("Q: {question} A:");
        assertThat(m.files()).extracting(f -> f.path()).containsExactly("LICENSE", "config.json", "exemplars.jsonl",
                "generation_config.json", "model.onnx", "model.onnx_data", "special_tokens_map.json", "tokenizer.json");
        assertThat(m.file("model.onnx_data").orElseThrow().sha256()).isEqualTo(ModelFolder.sha256(source.resolve("model.onnx_data")));
        // Installed where the services load from, signed by the key they trust.
        ModelFolder installed = ModelFolder.open(tmp.resolve("registry").resolve("smol").resolve("1"));
        RegistryOrigin.of(tmp.resolve("registry"), tmp.resolve("keys/k.pub")).verify(installed);
        assertThat(Files.exists(out.resolveSibling("smol-1.importing"))).isFalse();
    }

    /**
     * An export with optimum's {@code --dtype fp16} interface (float16 past_key_values, logits and
     * present.*) passes the same checks and loads as a version that categorizes.
     */
    @Test
    void aFloat16ExportIsImportedAndCategorizes() throws Exception {
        Path out = tmp.resolve("versions").resolve("smol16-1");
        String[] r = run(export("smol16-export", LlamaOnnxWriter.Precision.FP16_IO).toString(), "--name", "smol16",
                "--exemplars", EXEMPLARS.toString(), "--out", out.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("float16 logits and cache").contains("the cache decodes what recomputation decodes");
        ModelFolder folder = ModelFolder.open(out);
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            assertThat(model.float16Logits()).isTrue();
            categorizesAQuestion(folder, model);
        }
    }

    /**
     * A graph the project did not write: PyTorch's own exporter on a module tree named as transformers'
     * LlamaForCausalLM (untied head, grouped-query attention), which gives optimum's node names and folds
     * each projection's weight into an anonymous transposed constant. It imports (the cache check runs
     * the runtime's KV-cache path on torch's graph) and categorizes, and LlamaOnnxReader finds every
     * weight in it (what the trainer's djl backend starts from): the reference Llama on the weights read
     * computes the logits ONNX Runtime computes on torch's graph.
     */
    @Test
    void aGraphPyTorchExportedIsImportedCategorizesAndItsWeightsAreReadBack() throws Exception {
        Path source = TorchLlamaExport.write(tmp.resolve("torch-export"),
                new TorchLlamaExport.Shape(32_000, 32, 64, 2, 4, 2, 256, false), 0.3, 5L);
        Files.copy(TOKENIZER, source.resolve(ModelTokenizer.TOKENIZER_FILE));
        Files.writeString(source.resolve("special_tokens_map.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}");
        Path out = tmp.resolve("versions").resolve("torch-1");
        String[] r = run(source.toString(), "--name", "torch", "--exemplars", EXEMPLARS.toString(), "--out", out.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("torch@1: llama, 2 layers, hidden 32, 2 key/value heads, vocab 32000, 256 positions")
                .contains("float32 logits and cache").contains("the cache decodes what recomputation decodes");

        ModelFolder folder = ModelFolder.open(out);
        LlamaOnnxReader.Result read = LlamaOnnxReader.read(out);
        assertThat(read.options()).isEqualTo(new LlamaOnnxWriter.Options(false, LlamaOnnxWriter.Precision.FP32));
        ReferenceLlama reference = new ReferenceLlama(read.weights());
        // Two sequences after BOS, the shorter one right-padded in the same batch.
        List<int[]> sequences = List.of(new int[] {1, 415, 5565, 302, 4843}, new int[] {1, 330, 4094});
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            float[][][] logits = model.forwardCopying(sequences, 0);
            double largest = 0;
            for (int b = 0; b < sequences.size(); b++) {
                int[] ids = sequences.get(b);
                long[] positions = new long[ids.length];
                long[] mask = new long[ids.length];
                for (int t = 0; t < ids.length; t++) {
                    positions[t] = t;
                    mask[t] = 1;
                }
                float[][] expected = reference.forward(Arrays.stream(ids).asLongStream().toArray(), positions, mask);
                for (int t = 0; t < ids.length; t++) {
                    for (int v = 0; v < expected[t].length; v++) {
                        assertThat(logits[b][t][v]).as("sequence %d position %d id %d", b, t, v)
                                .isCloseTo(expected[t][v], within(1e-4f));
                        largest = Math.max(largest, Math.abs(expected[t][v]));
                    }
                }
            }
            assertThat(largest).as("logits O(1), so that 1e-4 means something").isGreaterThan(0.5);
            categorizesAQuestion(folder, model);
        }
    }

    /** Exact SliCK gives a category for one question against the version. */
    private static void categorizesAQuestion(ModelFolder folder, OnnxCausalLm model) throws Exception {
        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder)) {
            ExemplarPool pool = new ExemplarPool(ExemplarFile.read(folder.file("exemplars.jsonl")));
            SlickQuestion question = new SlickQuestion("ex-1", "birthplace", "In which city was Mesza Drolhanhel born ?",
                    "Zistolmere", List.of());
            SlickResult result = ExactSlick.forVersion(folder, model, tokenizer, pool, SlickConfig.paper())
                    .categorize(List.of(question)).get(0);
            assertThat(result.category()).isNotNull();
            assertThat(result.pSampled()).isBetween(0.0, 1.0);
        }
    }

    /**
     * With --bootstrap-servers the installed version is announced on a real broker's models topic, as the
     * trainer announces its own: keyed name@version, located in the registry; without --registry the
     * option is a usage error.
     */
    @Test
    void anInstalledVersionIsAnnouncedOnTheModelsTopic() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        Path registry = tmp.resolve("announce-registry");
        String[] r = run(export("announced").toString(), "--name", "announced", "--version", "3", "--exemplars",
                EXEMPLARS.toString(), "--out", tmp.resolve("announced-3").toString(), "--registry", registry.toString(),
                "--signing-key", tmp.resolve("keys/a").toString(), "--public-key", tmp.resolve("keys/a.pub").toString(),
                "--bootstrap-servers", bootstrap);
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("announced announced@3 on models at " + bootstrap
                + ": the monitor evaluates it as the base of its own lineage");
        ModelVersion announced = TopicContents.uncommitted(bootstrap, "models").stream()
                .filter(c -> "announced@3".equals(c.key()))
                .map(c -> ContractJson.read(c.value(), ModelVersion.class)).findFirst().orElseThrow();
        assertThat(announced.architecture()).isEqualTo("hf-causal-lm");
        assertThat(Path.of(announced.location())).isEqualTo(registry.resolve("announced").resolve("3").toAbsolutePath());

        r = run(export("unannounced").toString(), "--name", "u", "--exemplars", EXEMPLARS.toString(),
                "--out", tmp.resolve("u-1").toString(), "--bootstrap-servers", bootstrap);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).contains("--bootstrap-servers needs --registry");
        assertThat(tmp.resolve("u-1")).doesNotExist();
    }

    @Test
    void anExportWithoutTheCacheIsRefusedWithTheOptimumTaskToUse() throws Exception {
        Path source = export("no-past");
        // The same shape of folder, but a model.onnx that takes no past_key_values.
        GptOnnxWriter.write(GptWeights.random(GptConfig.of(32_000, 64, 16, 2, 1, 32), 1L), GptOnnxWriter.Variant.PLAIN,
                Map.of(), source.resolve("model.onnx"));
        Files.delete(source.resolve("model.onnx_data"));
        Path out = tmp.resolve("no-past-1");
        String[] r = run(source.toString(), "--name", "nopast", "--exemplars", EXEMPLARS.toString(), "--out", out.toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("refused").contains("--task text-generation-with-past");
        assertThat(out).doesNotExist();
        assertThat(tmp.resolve("no-past-1.importing")).doesNotExist();
    }

    @Test
    void aConfigFromAnotherModelATerminatorOfSeveralTokensAndAnOldSplitExportAreRefusedByName() throws Exception {
        Path source = export("mismatched");
        LlamaConfig.of(32_000, 32, 64, 2, 4, 4, 256, true).writeTo(source);
        String[] r = run(source.toString(), "--name", "x", "--exemplars", EXEMPLARS.toString(),
                "--out", tmp.resolve("x-1").toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("num_key_value_heads 4").contains("2 heads");

        Path good = export("terminator");
        r = run(good.toString(), "--name", "y", "--exemplars", EXEMPLARS.toString(), "--terminator", "END OF ANSWER",
                "--out", tmp.resolve("y-1").toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("answer terminator 'END OF ANSWER'");

        Path split = tmp.resolve("split");
        Files.createDirectories(split);
        Files.writeString(split.resolve("decoder_model_merged.onnx"), "x");
        r = run(split.toString(), "--name", "z", "--exemplars", EXEMPLARS.toString(), "--out", tmp.resolve("z-1").toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("has no model.onnx but decoder_model_merged.onnx");
    }
}
