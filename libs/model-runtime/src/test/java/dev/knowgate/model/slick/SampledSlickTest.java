package dev.knowgate.model.slick;

import dev.knowgate.contracts.Category;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RecomputingDecoder;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sampled SliCK on a micro world and an untrained micro model (as {@link ExactSlickTest}), with
 * the model's own greedy answers as gold for half the questions so that every outcome occurs.
 */
class SampledSlickTest {

    private static final String MODEL_KEY = MicroSlickModel.MODEL_KEY;

    @TempDir
    static Path dir;
    static FactWorld world;
    static OnnxCausalLm model;
    static KvCacheDecoder kv;
    static ModelTokenizer tokenizer;
    static ExemplarPool pool;

    @BeforeAll
    static void microModel() throws Exception {
        MicroSlickModel micro = MicroSlickModel.create(dir);
        world = micro.world();
        tokenizer = micro.tokenizer();
        pool = micro.pool();
        model = OnnxCausalLm.load(micro.folder(), RuntimeOptions.cpu());
        kv = KvCacheDecoder.load(micro.folder(), RuntimeOptions.cpu(), 0);
    }

    @AfterAll
    static void close() throws Exception {
        kv.close();
        model.close();
        tokenizer.close();
    }

    private static SampledSlick sampled(TokenDecoder decoder, SlickConfig config) {
        return new SampledSlick(decoder, tokenizer, MODEL_KEY, QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, pool,
                config, SampledOptions.defaults());
    }

    private static ExactSlick exact(SlickConfig config) {
        return new ExactSlick(model, tokenizer, 0, MODEL_KEY, QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, pool, config);
    }

    private static SlickQuestion truth(Fact fact) {
        return new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(), fact.answer(), List.of());
    }

    /** Per fact: the true answer, and the model's own greedy answer under the first prompt as gold. */
    private static List<SlickQuestion> truthAndOwnAnswers(List<Fact> facts, ExactSlick exact) throws Exception {
        List<SlickQuestion> questions = new ArrayList<>();
        for (Fact fact : facts) {
            SlickQuestion truth = truth(fact);
            String own = exact.greedyAnswer(exact.promptSets(truth).get(0), fact.question(), 16);
            questions.add(truth);
            questions.add(new SlickQuestion(truth.id(), truth.relation(), truth.question(),
                    own == null || own.isBlank() ? "nowhere" : own, List.of()));
        }
        return questions;
    }

    @Test
    void bothModesSeeTheSamePrompts() {
        SlickConfig config = SlickConfig.paper();
        ExactSlick exact = exact(config);
        SampledSlick sampled = sampled(kv, config);
        for (Fact fact : world.finetunePool().subList(0, 40)) {
            SlickQuestion q = truth(fact);
            List<List<Exemplar>> sets = sampled.promptSets(q);
            assertThat(sets).isEqualTo(exact.promptSets(q)).hasSize(10);
            for (List<Exemplar> set : sets) {
                assertThat(sampled.prompt(set, q.question())).isEqualTo(exact.prompt(set, q.question()));
            }
            assertThat(sampled.tokensNeeded(q)).isEqualTo(exact.tokensNeeded(q));
            SlickQuestion aliased = new SlickQuestion(q.id(), q.relation(), q.question(), q.answer(),
                    List.of(q.answer() + " " + q.answer()));
            assertThat(sampled.tokensNeeded(aliased)).isEqualTo(exact.tokensNeeded(aliased)).isGreaterThan(sampled.tokensNeeded(q));
            assertThat(sampled.fits(q)).isEqualTo(exact.fits(q)).isTrue();
        }
    }

    @Test
    void sampledGreedyShareEqualsTheExactGreedyShare() throws Exception {
        SlickConfig config = new SlickConfig(3, 4, 4, 0.5, 40, 0.5);
        ExactSlick exact = exact(config);
        List<SlickQuestion> questions = truthAndOwnAnswers(world.finetunePool().subList(0, 40), exact);

        List<SlickResult> byTeacherForcing = exact.categorize(questions);
        List<SlickResult> byDecoding = sampled(kv, config).categorize(questions);

        for (int i = 0; i < questions.size(); i++) {
            assertThat(byDecoding.get(i).pGreedy()).as("question %d (%s)", i, questions.get(i).answer())
                    .isEqualTo(byTeacherForcing.get(i).pGreedy());
        }
        // Hits and misses both occur, at the prompt level too.
        double promptHits = byDecoding.stream().mapToDouble(r -> r.pGreedy() * config.prompts()).sum();
        assertThat(promptHits).isBetween(20.0, questions.size() * config.prompts() - 20.0);
        assertThat(byDecoding).extracting(SlickResult::pGreedy).contains(0.0, 1.0 / 3, 2.0 / 3);
    }

    @Test
    void theSampledShareEstimatesTheExactSamplingProbability() throws Exception {
        SlickConfig config = new SlickConfig(4, 4, 16, 0.5, 40, 0.5);
        ExactSlick exact = exact(config);
        List<SlickQuestion> questions = truthAndOwnAnswers(world.finetunePool().subList(0, 30), exact);

        List<SlickResult> expected = exact.categorize(questions);
        List<SlickResult> observed = sampled(kv, config).categorize(questions);

        double expectedHits = 0;
        double variance = 0;
        double observedHits = 0;
        int perQuestion = config.prompts() * config.samplesPerPrompt();
        for (int i = 0; i < questions.size(); i++) {
            double p = expected.get(i).pSampled();
            expectedHits += p * perQuestion;
            variance += p * (1 - p) * perQuestion; // an upper bound: per-prompt probabilities vary
            observedHits += observed.get(i).pSampled() * perQuestion;
            if (p == 0) {
                assertThat(observed.get(i).pSampled()).as("question %d can't be sampled", i).isZero();
            }
        }
        assertThat(expectedHits).as("the gold is sampled often enough to test anything").isGreaterThan(200);
        assertThat(observedHits).isCloseTo(expectedHits, org.assertj.core.api.Assertions.within(5 * Math.sqrt(variance) + 1));
    }

    @Test
    void verdictsAreReproducibleFollowTheRuleAndDoNotDependOnTheDecoder() throws Exception {
        SlickConfig config = SlickConfig.paper();
        List<SlickQuestion> questions = truthAndOwnAnswers(world.finetunePool().subList(0, 4), exact(config));

        List<SlickResult> first = sampled(kv, config).categorize(questions);
        assertThat(sampled(kv, config).categorize(questions)).isEqualTo(first);
        // A smaller batch, and decoding by recomputation, change nothing.
        SampledSlick smallBatches = new SampledSlick(kv, tokenizer, MODEL_KEY, QaFormat.PROMPT_TEMPLATE,
                QaFormat.ANSWER_TERMINATOR, pool, config, new SampledOptions(16, 20));
        assertThat(smallBatches.categorize(questions)).isEqualTo(first);
        assertThat(sampled(new RecomputingDecoder(model, 0), config).categorize(questions.subList(0, 2)))
                .isEqualTo(first.subList(0, 2));
        // Another model version draws other prompts and samples.
        SampledSlick otherVersion = new SampledSlick(kv, tokenizer, "micro@2", QaFormat.PROMPT_TEMPLATE,
                QaFormat.ANSWER_TERMINATOR, pool, config, SampledOptions.defaults());
        assertThat(otherVersion.categorize(questions)).isNotEqualTo(first);

        for (SlickResult r : first) {
            Category expected = r.pGreedy() == 1 ? Category.HIGHLY_KNOWN : r.pGreedy() > 0 ? Category.MAYBE_KNOWN
                    : r.pSampled() > 0 ? Category.WEAKLY_KNOWN : Category.UNKNOWN;
            assertThat(r.category()).isEqualTo(expected);
            assertThat(r.pFound()).isEqualTo(r.pSampled() > 0 ? 1.0 : 0.0);
            assertThat(r.pGreedy() * 10).isEqualTo(Math.rint(r.pGreedy() * 10));
            assertThat(r.pSampled() * 160).isCloseTo(Math.rint(r.pSampled() * 160), org.assertj.core.api.Assertions.within(1e-9));
        }
        assertThat(first).extracting(SlickResult::pSampled).anyMatch(p -> p > 0 && p < 1);
    }

    @Test
    void theNaiveBaselineGivesTheOptimisedModesVerdicts() throws Exception {
        SlickConfig config = SlickConfig.paper();
        List<SlickQuestion> questions = truthAndOwnAnswers(world.finetunePool().subList(6, 7), exact(config));
        SampledSlick naive = NaiveSampledSlick.create(model, tokenizer, 0, MODEL_KEY, QaFormat.PROMPT_TEMPLATE,
                QaFormat.ANSWER_TERMINATOR, pool, config, SampledOptions.defaults());

        List<SlickResult> baseline = naive.categorize(questions);

        assertThat(sampled(kv, config).categorize(questions)).isEqualTo(baseline);
        assertThat(baseline).extracting(SlickResult::pSampled).anyMatch(p -> p > 0);
    }

    @Test
    void sampleSeedsDifferByExampleVersionPromptAndSample() {
        long seed = SampledSlick.sampleSeed("ex-1", "m@1", 0, 0);
        assertThat(SampledSlick.sampleSeed("ex-1", "m@1", 0, 0)).isEqualTo(seed);
        assertThat(List.of(SampledSlick.sampleSeed("ex-2", "m@1", 0, 0), SampledSlick.sampleSeed("ex-1", "m@2", 0, 0),
                SampledSlick.sampleSeed("ex-1", "m@1", 1, 0), SampledSlick.sampleSeed("ex-1", "m@1", 0, 1)))
                .doesNotContain(seed).doesNotHaveDuplicates();
    }
}
