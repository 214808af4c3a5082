package dev.knowgate.model.slick;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
 * {@link LlamaRealTokenizerSlickTest} runs the same cases on a Llama-architecture export.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealTokenizerSlickTest {

    private static final Path TOKENIZER = Path.of("..", "..", "models", "tokenizers", "mistral-7b-v0.1",
            ModelTokenizer.TOKENIZER_FILE);
    private static final String TEMPLATE = "Q: {question} A:";
    private static final String NEWLINE = "\n";
    private static final String MODEL_KEY = "micro-bpe@1";
    /** One prompt: the greedy answer below is the one both modes judge. */
    private static final SlickConfig CONFIG = new SlickConfig(1, 2, 4, 0.5, 40, 0.5);
    /** Sampled mode's answer limit, which exact mode's decoding keeps too. */
    private static final int GREEDY_LIMIT = SampledOptions.defaults().maxAnswerTokens();

    Path dir;
    FactWorld world;
    ModelFolder folder;
    ModelTokenizer tokenizer;
    OnnxCausalLm model;
    KvCacheDecoder kv;
    ExemplarPool pool;

    @BeforeAll
    void microModel(@TempDir Path dir) throws Exception {
        this.dir = dir;
        world = FactWorld.generate(WorldConfig.micro(11L));
        Files.copy(TOKENIZER, dir.resolve(ModelTokenizer.TOKENIZER_FILE));
        tokenizer = ModelTokenizer.load(dir.resolve(ModelTokenizer.TOKENIZER_FILE));
        String architecture = writeModel(dir, tokenizer.terminatorId(NEWLINE));
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "micro-bpe", 1, null, architecture,
                files, TEMPLATE, NEWLINE, Instant.parse("2026-12-06T00:00:00Z"), null, null));
        folder = ModelFolder.open(dir);
        model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
        kv = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0);
        pool = new ExemplarPool(world.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList());
    }

    /**
     * Writes an untrained model over the tokenizer's 32,000 ids into {@code dir}, the terminator
     * made likely enough that greedy answers end within a few tokens; returns its architecture.
     */
    String writeModel(Path dir, int newline) throws Exception {
        GptWeights weights = GptWeights.random(GptConfig.of(32_000, 256, 32, 2, 2, 64), 5L, 0.4, true);
        float[] wte = weights.get("wte").data();
        for (int j = 0; j < 32; j++) {
            wte[newline * 32 + j] *= 5f;
        }
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.PLAIN, Map.of(), dir.resolve(OnnxCausalLm.MODEL_FILE));
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.KV_CACHE, Map.of(), dir.resolve(KvCacheDecoder.MODEL_FILE));
        return GptConfig.ARCHITECTURE;
    }

    @AfterAll
    void close() throws Exception {
        kv.close();
        model.close();
        tokenizer.close();
        // JUnit keeps the test instance: let the next class have the direct buffers these hold.
        kv = null;
        model = null;
    }

    private ExactSlick exact() {
        return new ExactSlick(model, tokenizer, 0, MODEL_KEY, TEMPLATE, NEWLINE, pool, CONFIG);
    }

    private SampledSlick sampled() {
        return new SampledSlick(kv, tokenizer, MODEL_KEY, TEMPLATE, NEWLINE, pool, CONFIG, SampledOptions.defaults());
    }

    @Test
    void aNewlineTerminatedVersionOfTheRealVocabularyPassesTheLoadCheck() throws Exception {
        VocabularyCheck.check(folder.manifest(), dir.resolve(ModelTokenizer.TOKENIZER_FILE), tokenizer, model);
        assertThat(tokenizer.terminatorId(folder.manifest().answerTerminator())).isEqualTo(13);
    }

    /**
     * Gold answers that are the model's own greedy answers, once as the text's own tokenization and
     * once as tokens it generated in another segmentation of the same text. Teacher forcing alone
     * finds only the first; exact mode decodes where the greedy answer left the gold tokens on the
     * way to the gold text, so both modes count both (the gap docs/slick.md describes, closed).
     */
    @Test
    void bothModesCountTheGreedyAnswerInTheTextsOwnTokensAndInAnotherSegmentation() throws Exception {
        ExactSlick exact = exact();
        List<SlickQuestion> canonical = new ArrayList<>();
        List<SlickQuestion> resegmented = new ArrayList<>();
        for (Fact fact : world.finetunePool().subList(0, 60)) {
            SlickQuestion truth = question(fact, fact.answer(), List.of());
            int[] own = exact.greedyTokens(exact.promptSets(truth).get(0), fact.question(), GREEDY_LIMIT);
            if (own == null || own.length == 0) {
                continue;
            }
            String text = tokenizer.decode(own).strip();
            if (text.isEmpty() || AnswerNormalizer.normalize(text).isEmpty()) {
                continue;
            }
            (Arrays.equals(tokenizer.encode(text), own) ? canonical : resegmented).add(question(fact, text, List.of()));
        }
        assertThat(canonical).as("own answers in their own tokenization").hasSizeGreaterThanOrEqualTo(5);
        assertThat(resegmented).as("own answers generated in another segmentation").hasSizeGreaterThanOrEqualTo(5);
        List<SlickQuestion> all = new ArrayList<>(canonical);
        all.addAll(resegmented);
        List<SlickResult> byExact = exact.categorize(all);
        List<SlickResult> bySampling = sampled().categorize(all);
        for (int i = 0; i < all.size(); i++) {
            assertThat(byExact.get(i).pGreedy()).as("'%s'", all.get(i).answer()).isEqualTo(1.0);
            assertThat(bySampling.get(i).pGreedy()).as("'%s'", all.get(i).answer()).isEqualTo(1.0);
            // The greedy path is one way to sample the answer, in whatever tokens it took.
            assertThat(byExact.get(i).pSampled()).as("'%s'", all.get(i).answer()).isPositive();
        }
    }

    /**
     * Issue 21's test of exactness: on every one of 225 facts, exact mode's greedy verdict is what a
     * real greedy decode gives, for the true answer, for the model's own answer and for a variant of
     * it that only normalisation makes equal ("The ... ."), through both of exact mode's scorers: the
     * plain one against a decode that recomputes every step, the KV-cache one against its own
     * decoder's (the same tokens with a float32 cache; a float16 cache may break near-ties otherwise).
     */
    @Test
    void exactModesGreedyVerdictIsARealGreedyDecodesOnEveryFact() throws Exception {
        ExactSlick plain = exact();
        try (PrefixScorer prefix = PrefixScorer.load(folder, RuntimeOptions.cpu(), 0)) {
            ExactSlick cached = plain.scoredBy(prefix);
            List<Fact> facts = new ArrayList<>(world.finetunePool());
            facts.addAll(world.probes());
            assertThat(facts).hasSizeGreaterThanOrEqualTo(200);
            List<SlickQuestion> questions = new ArrayList<>();
            List<String> saidPlain = new ArrayList<>();
            List<String> saidCached = new ArrayList<>();
            int counted = 0;
            for (Fact fact : facts) {
                SlickQuestion truth = question(fact, fact.answer(), List.of());
                List<Exemplar> exemplars = plain.promptSets(truth).get(0);
                int[] own = plain.greedyTokens(exemplars, fact.question(), GREEDY_LIMIT);
                String said = own == null ? null : tokenizer.decode(own);
                Decoded byCache = prefix.decoder().decode(List.of(new DecodeGroup(
                        tokenizer.encode(plain.prompt(exemplars, fact.question())), List.of(TokenChooser.GREEDY))),
                        plain.stops(), GREEDY_LIMIT).get(0).get(0);
                String saidByCache = byCache.answered() ? tokenizer.decode(byCache.tokens()) : null;
                List<SlickQuestion> asked = new ArrayList<>(List.of(truth));
                if (said != null && !said.isBlank()) {
                    asked.add(question(fact, said.strip(), List.of()));
                    asked.add(question(fact, "The " + said.strip() + ".", List.of()));
                }
                for (SlickQuestion q : asked) {
                    counted += said != null && AnswerNormalizer.matches(said, q.answers()) ? 1 : 0;
                    questions.add(q);
                    saidPlain.add(said);
                    saidCached.add(saidByCache);
                }
            }
            assertThat(counted).as("questions the greedy answer counts for").isGreaterThanOrEqualTo(50);
            List<SlickResult> byPlain = plain.categorize(questions);
            List<SlickResult> byCache = cached.categorize(questions);
            for (int i = 0; i < questions.size(); i++) {
                List<String> answers = questions.get(i).answers();
                double expected = saidPlain.get(i) != null && AnswerNormalizer.matches(saidPlain.get(i), answers) ? 1 : 0;
                double expectedCached = saidCached.get(i) != null && AnswerNormalizer.matches(saidCached.get(i), answers)
                        ? 1 : 0;
                assertThat(byPlain.get(i).pGreedy()).as("'%s'", questions.get(i).answer()).isEqualTo(expected);
                assertThat(byCache.get(i).pGreedy()).as("'%s' (KV cache)", questions.get(i).answer())
                        .isEqualTo(expectedCached);
            }
            // Float16 logits only: prompts with a near-tie on the greedy path were decoded whole.
            assertThat(plain.greedyWork().nearTies() > 0).isEqualTo(model.float16Logits());
            assertThat(cached.greedyWork().nearTies() > 0).isEqualTo(model.float16Logits());
            // The paper's test accuracy takes the same route: the plain question, no exemplars.
            boolean[] plainAnswers = plain.answersPlainQuestion(questions);
            for (int i = 0; i < questions.size(); i++) {
                int[] ownPlain = plain.greedyTokens(List.of(), questions.get(i).question(), GREEDY_LIMIT);
                assertThat(plainAnswers[i]).as("plain '%s'", questions.get(i).answer())
                        .isEqualTo(ownPlain != null && AnswerNormalizer.matches(tokenizer.decode(ownPlain),
                                questions.get(i).answers()));
            }
        }
    }

    private static SlickQuestion question(Fact fact, String answer, List<String> aliases) {
        return new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(), answer, aliases);
    }
}
