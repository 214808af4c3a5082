package dev.knowgate.model.slick;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SliCK's two modes with a real published BPE tokenizer (Mistral 7B's, models/tokenizers) and a
 * newline as the answer terminator, on an untrained knowgate-gpt over its 32,000 ids: the plumbing
 * a real model needs, and the segmentation gap between the modes that issue 21 is about.
 */
class RealTokenizerSlickTest {

    private static final Path TOKENIZER = Path.of("..", "..", "models", "tokenizers", "mistral-7b-v0.1",
            ModelTokenizer.TOKENIZER_FILE);
    private static final String TEMPLATE = "Q: {question} A:";
    private static final String NEWLINE = "\n";
    private static final String MODEL_KEY = "micro-bpe@1";
    /** One prompt: the greedy answer below is the one both modes judge. */
    private static final SlickConfig CONFIG = new SlickConfig(1, 2, 4, 0.5, 40, 0.5);

    @TempDir
    static Path dir;
    static FactWorld world;
    static ModelFolder folder;
    static ModelTokenizer tokenizer;
    static OnnxCausalLm model;
    static KvCacheDecoder kv;
    static ExemplarPool pool;

    @BeforeAll
    static void microModel() throws Exception {
        world = FactWorld.generate(WorldConfig.micro(11L));
        Files.copy(TOKENIZER, dir.resolve(ModelTokenizer.TOKENIZER_FILE));
        tokenizer = ModelTokenizer.load(dir.resolve(ModelTokenizer.TOKENIZER_FILE));
        GptWeights weights = GptWeights.random(GptConfig.of(32_000, 256, 32, 2, 2, 64), 5L, 0.4, true);
        // Make the terminator likely enough that greedy answers end within a few tokens.
        float[] wte = weights.get("wte").data();
        int newline = tokenizer.terminatorId(NEWLINE);
        for (int j = 0; j < 32; j++) {
            wte[newline * 32 + j] *= 5f;
        }
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.PLAIN, Map.of(), dir.resolve(OnnxCausalLm.MODEL_FILE));
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.KV_CACHE, Map.of(), dir.resolve(KvCacheDecoder.MODEL_FILE));
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "micro-bpe", 1, null, "knowgate-gpt",
                files, TEMPLATE, NEWLINE, Instant.parse("2026-12-06T00:00:00Z"), null, null));
        folder = ModelFolder.open(dir);
        model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
        kv = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0);
        pool = new ExemplarPool(world.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList());
    }

    @AfterAll
    static void close() throws Exception {
        kv.close();
        model.close();
        tokenizer.close();
    }

    private static ExactSlick exact() {
        return new ExactSlick(model, tokenizer, 0, MODEL_KEY, TEMPLATE, NEWLINE, pool, CONFIG);
    }

    private static SampledSlick sampled() {
        return new SampledSlick(kv, tokenizer, MODEL_KEY, TEMPLATE, NEWLINE, pool, CONFIG, SampledOptions.defaults());
    }

    @Test
    void aNewlineTerminatedVersionOfTheRealVocabularyPassesTheLoadCheck() throws Exception {
        VocabularyCheck.check(folder.manifest(), dir.resolve(ModelTokenizer.TOKENIZER_FILE), tokenizer, model);
        assertThat(tokenizer.terminatorId(folder.manifest().answerTerminator())).isEqualTo(13);
    }

    /**
     * Gold answers that are the model's own greedy answers, once as the text's own tokenization and
     * once as tokens it generated in another segmentation of the same text: sampled mode compares
     * text and counts both; exact mode teacher-forces the text's tokenization, so it agrees where
     * the model generated exactly that and can only undercount elsewhere.
     */
    @Test
    void exactModeMatchesSampledModeWhereTheGreedyTokensAreTheAnswersOwnTokenization() throws Exception {
        ExactSlick exact = exact();
        List<SlickQuestion> canonical = new ArrayList<>();
        List<SlickQuestion> resegmented = new ArrayList<>();
        for (Fact fact : world.finetunePool().subList(0, 60)) {
            SlickQuestion truth = new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(),
                    fact.answer(), List.of());
            int[] own = exact.greedyTokens(exact.promptSets(truth).get(0), fact.question(), 8);
            if (own == null || own.length == 0) {
                continue;
            }
            String text = tokenizer.decode(own).strip();
            if (text.isEmpty() || AnswerNormalizer.normalize(text).isEmpty()) {
                continue;
            }
            SlickQuestion q = new SlickQuestion(truth.id(), truth.relation(), truth.question(), text, List.of());
            (Arrays.equals(tokenizer.encode(text), own) ? canonical : resegmented).add(q);
        }
        assertThat(canonical).as("own answers in their own tokenization").hasSizeGreaterThanOrEqualTo(5);

        List<SlickResult> byTeacherForcing = exact.categorize(canonical);
        List<SlickResult> byDecoding = sampled().categorize(canonical);
        for (int i = 0; i < canonical.size(); i++) {
            assertThat(byTeacherForcing.get(i).pGreedy()).as("'%s'", canonical.get(i).answer()).isEqualTo(1.0);
            assertThat(byDecoding.get(i).pGreedy()).as("'%s'", canonical.get(i).answer()).isEqualTo(1.0);
        }

        // The gap: the same text reached through other pieces is a greedy answer to sampled mode only.
        assertThat(resegmented).as("own answers generated in another segmentation").isNotEmpty();
        List<SlickResult> exactOnOthers = exact.categorize(resegmented);
        List<SlickResult> sampledOnOthers = sampled().categorize(resegmented);
        for (int i = 0; i < resegmented.size(); i++) {
            assertThat(exactOnOthers.get(i).pGreedy()).as("'%s'", resegmented.get(i).answer()).isZero();
            assertThat(sampledOnOthers.get(i).pGreedy()).as("'%s'", resegmented.get(i).answer()).isEqualTo(1.0);
        }
    }
}
