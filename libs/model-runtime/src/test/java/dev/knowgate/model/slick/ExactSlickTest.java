package dev.knowgate.model.slick;

import dev.knowgate.contracts.Category;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.SequenceTooLongException;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exact SliCK on a micro world and an untrained micro model. The model knows nothing, so the
 * model's own greedy answers serve as gold for half the questions: the exact greedy verdict must
 * agree with a real greedy decode on every one of them, hits and misses alike.
 */
class ExactSlickTest {

    @TempDir
    static Path dir;
    static FactWorld world;
    static OnnxCausalLm model;
    static ModelTokenizer tokenizer;
    static ExemplarPool pool;

    @BeforeAll
    static void microModel() throws Exception {
        MicroSlickModel micro = MicroSlickModel.create(dir);
        world = micro.world();
        tokenizer = micro.tokenizer();
        pool = micro.pool();
        model = OnnxCausalLm.load(micro.folder(), RuntimeOptions.cpu());
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        tokenizer.close();
    }

    private static ExactSlick slick(SlickConfig config) {
        return new ExactSlick(model, tokenizer, 0, "micro@1", QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, pool, config);
    }

    /**
     * A curator's evidence is the plain greedy decode under the first prompt set (here through the
     * batched decoder, checked against the token-by-token one), with the probability of exactly that
     * answer: the product over its tokens and the terminator of the softmax at T=1, recomputed here
     * by teacher forcing the answer the decode gave.
     */
    @Test
    void evidenceIsTheGreedyAnswerUnderTheFirstPromptWithItsProbability() throws Exception {
        ExactSlick slick = slick(SlickConfig.paper());
        List<SlickQuestion> questions = world.finetunePool().subList(0, 40).stream().map(f -> new SlickQuestion(
                f.toExample().id(), f.relation().name(), f.question(), f.answer(), List.of())).toList();

        List<dev.knowgate.contracts.Evidence> evidence = slick.evidence(questions);

        assertThat(evidence).hasSize(questions.size());
        int answered = 0;
        for (int i = 0; i < questions.size(); i++) {
            SlickQuestion q = questions.get(i);
            List<Exemplar> first = slick.promptSets(q).get(0);
            String plain = slick.greedyAnswer(first, q.question(), SampledOptions.defaults().maxAnswerTokens());
            dev.knowgate.contracts.Evidence e = evidence.get(i);
            assertThat(e.modelAnswer()).as(q.id()).isEqualTo(plain == null || plain.isBlank() ? null : plain.strip());
            if (e.modelAnswer() == null) {
                continue;
            }
            answered++;
            int[] prompt = tokenizer.encode(slick.prompt(first, q.question()));
            int[] answer = slick.greedyTokens(first, q.question(), SampledOptions.defaults().maxAnswerTokens());
            int[] sequence = java.util.Arrays.copyOf(prompt, prompt.length + answer.length + 1);
            System.arraycopy(answer, 0, sequence, prompt.length, answer.length);
            sequence[sequence.length - 1] = slick.stops().terminator();
            double logP = model.forward(List.of(sequence), 0, logits -> {
                double sum = 0;
                float[] row = new float[logits.vocab()];
                for (int pos = prompt.length - 1; pos < sequence.length - 1; pos++) {
                    logits.row(0, pos, row);
                    double max = Double.NEGATIVE_INFINITY;
                    for (float l : row) {
                        max = Math.max(max, l);
                    }
                    double z = 0;
                    for (float l : row) {
                        z += Math.exp(l - max);
                    }
                    sum += row[sequence[pos + 1]] - max - Math.log(z);
                }
                return sum;
            });
            assertThat(e.confidence()).as(q.id()).isCloseTo(Math.exp(logP), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(e.hint()).isEqualTo(EvidenceHints.hint(e.modelAnswer(), e.confidence(), q.answers()));
        }
        assertThat(answered).as("answers decoded (the test must see some)").isPositive();
    }

    @Test
    void exactGreedyVerdictEqualsARealGreedyDecodeOn200Facts() throws Exception {
        SlickConfig onePrompt = new SlickConfig(1, 4, 16, 0.5, 40, 0.5);
        ExactSlick slick = slick(onePrompt);
        List<SlickQuestion> questions = new ArrayList<>();
        List<Boolean> decodeMatches = new ArrayList<>();
        List<Fact> facts = world.finetunePool().subList(0, 100);
        for (Fact fact : facts) {
            SlickQuestion truth = new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(),
                    fact.answer(), List.of());
            String decoded = slick.greedyAnswer(slick.promptSets(truth).get(0), fact.question(), 6);
            questions.add(truth);
            decodeMatches.add(fact.answer().equals(decoded));
            // The same question (same id, so the same prompt) with the model's own answer as gold.
            String own = decoded == null || decoded.isBlank() ? "nowhere" : decoded;
            questions.add(new SlickQuestion(truth.id(), truth.relation(), truth.question(), own, List.of()));
            decodeMatches.add(own.equals(decoded));
        }

        List<SlickResult> results = slick.categorize(questions);

        long hits = decodeMatches.stream().filter(b -> b).count();
        assertThat(hits).as("greedy hits among the 200 (the test must see both outcomes)").isBetween(20L, 180L);
        for (int i = 0; i < questions.size(); i++) {
            assertThat(results.get(i).pGreedy() == 1.0).as("question %d (%s)", i, questions.get(i).answer())
                    .isEqualTo(decodeMatches.get(i));
        }
    }

    @Test
    void verdictsAreReproducibleAndFollowTheRule() throws Exception {
        ExactSlick slick = slick(SlickConfig.paper());
        List<SlickQuestion> questions = world.finetunePool().subList(0, 30).stream()
                .map(f -> new SlickQuestion(f.toExample().id(), f.relation().name(), f.question(), f.answer(), List.of()))
                .toList();

        List<SlickResult> first = slick.categorize(questions);
        assertThat(slick.categorize(questions)).isEqualTo(first);
        assertThat(slick(SlickConfig.paper()).promptSets(questions.get(0))).isEqualTo(slick.promptSets(questions.get(0)));

        for (SlickResult r : first) {
            assertThat(r.pGreedy()).isBetween(0.0, 1.0);
            assertThat(r.pFound()).isBetween(0.0, 1.0);
            Category expected = r.pGreedy() == 1 ? Category.HIGHLY_KNOWN : r.pGreedy() > 0 ? Category.MAYBE_KNOWN
                    : r.pFound() >= 0.5 ? Category.WEAKLY_KNOWN : Category.UNKNOWN;
            assertThat(r.category()).isEqualTo(expected);
            assertThat(r.fallback()).isFalse();
        }
    }

    @Test
    void theFoundProbabilityIsThatOfNTimesKSamples() throws Exception {
        ExactSlick slick = slick(new SlickConfig(2, 4, 3, 0.5, 40, 0.5));
        // Gold = the model's own greedy answer under the first prompt: inside the top k at every
        // position, so its sampling probability is positive.
        SlickQuestion question = null;
        for (Fact fact : world.finetunePool()) {
            SlickQuestion q = new SlickQuestion("x-" + fact.question(), fact.relation().name(), fact.question(), fact.answer(), List.of());
            String own = slick.greedyAnswer(slick.promptSets(q).get(0), fact.question(), 6);
            if (own != null && !own.isBlank()) {
                question = new SlickQuestion(q.id(), q.relation(), q.question(), own, List.of());
                break;
            }
        }
        assertThat(question).isNotNull();
        SlickResult r = slick.categorize(List.of(question)).get(0);
        // Two prompts of mean probability m, 3 samples each: pFound = 1 - ((1-p1)(1-p2))^3, where
        // (1-p1)(1-p2) <= (1-m)^2 (AM-GM) and >= 1 - 2m.
        double m = r.pSampled();
        assertThat(m).isGreaterThan(0.0);
        assertThat(r.pFound()).isGreaterThanOrEqualTo(1 - Math.pow(1 - m, 6) - 1e-12)
                .isLessThanOrEqualTo(2 * m >= 1 ? 1.0 : 1 - Math.pow(1 - 2 * m, 3) + 1e-12);
    }

    @Test
    void aQuestionWithoutARelationFallsBackToTheMixedPool() throws Exception {
        Fact fact = world.finetunePool().get(1);
        SlickResult r = slick(SlickConfig.paper()).categorize(List.of(
                new SlickQuestion("no-relation", null, fact.question(), fact.answer(), List.of()))).get(0);
        assertThat(r.fallback()).isTrue();
        assertThat(r.pool()).isEqualTo(ExemplarPool.MIXED);
    }

    @Test
    void aQuestionLongerThanTheModelsPositionsDoesNotFitAndIsRefusedWithAClearError() throws Exception {
        ExactSlick slick = slick(SlickConfig.paper());
        Fact fact = world.finetunePool().get(2);
        SlickQuestion ok = new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(), fact.answer(),
                List.of());
        assertThat(slick.fits(ok)).isTrue();
        assertThat(slick.tokensNeeded(ok)).isLessThanOrEqualTo(model.maxPositions());

        String longQuestion = (fact.question() + " ").repeat(40).trim();
        SlickQuestion tooLong = new SlickQuestion(ok.id(), ok.relation(), longQuestion, fact.answer(), List.of());
        assertThat(slick.tokensNeeded(tooLong)).isGreaterThan(model.maxPositions());
        assertThat(slick.fits(tooLong)).isFalse();
        assertThatThrownBy(() -> slick.categorize(List.of(ok, tooLong)))
                .isInstanceOf(SequenceTooLongException.class)
                .hasMessageContaining("longer than the model's 128 positions");
        // The refusal happens before anything runs; the model answers the fitting question alone.
        assertThat(slick.categorize(List.of(ok))).hasSize(1);
    }

    @Test
    void thePlainQuestionVerdictEqualsAZeroShotGreedyDecode() throws Exception {
        ExactSlick slick = slick(SlickConfig.paper());
        List<SlickQuestion> questions = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        for (Fact fact : world.finetunePool().subList(0, 20)) {
            String decoded = slick.greedyAnswer(List.of(), fact.question(), 6);
            String own = decoded == null || decoded.isBlank() ? "nowhere" : decoded;
            questions.add(new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(), fact.answer(),
                    List.of()));
            expected.add(fact.answer().equals(decoded));
            // An alias equal to the model's own answer counts as correct.
            questions.add(new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(), "nowhere near",
                    List.of(own)));
            expected.add(own.equals(decoded));
        }
        boolean[] correct = slick.answersPlainQuestion(questions);
        for (int i = 0; i < questions.size(); i++) {
            assertThat(correct[i]).as("question %d", i).isEqualTo(expected.get(i));
        }
        assertThat(expected).contains(true, false);
    }

    @Test
    void onTheShippedBaseModelTheExactGreedyVerdictEqualsARealGreedyDecodeOn200Facts() throws Exception {
        ModelFolder base = ModelFolder.open(Path.of("..", "..", "models", "knowgate-base-1"));
        FactWorld standard = FactWorld.generate(WorldConfig.preset("standard", 42L));
        List<Exemplar> exemplars = standard.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList();
        try (OnnxCausalLm lm = OnnxCausalLm.load(base, RuntimeOptions.cpu());
             ModelTokenizer tok = ModelTokenizer.load(base)) {
            ExactSlick exact = new ExactSlick(lm, tok, 0, base.manifest().key(), QaFormat.PROMPT_TEMPLATE,
                    QaFormat.ANSWER_TERMINATOR, new ExemplarPool(exemplars), new SlickConfig(1, 4, 16, 0.5, 40, 0.5));
            List<Fact> pool = standard.finetunePool();
            List<SlickQuestion> questions = new ArrayList<>();
            List<Boolean> decodeMatches = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Fact fact = pool.get(i * (pool.size() / 200)); // every exposure level, trained model: hits and misses
                SlickQuestion q = new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(),
                        fact.answer(), List.of());
                questions.add(q);
                decodeMatches.add(fact.answer().equals(exact.greedyAnswer(exact.promptSets(q).get(0), fact.question(), 12)));
            }
            List<SlickResult> results = exact.categorize(questions);
            assertThat(decodeMatches).contains(true, false);
            for (int i = 0; i < questions.size(); i++) {
                assertThat(results.get(i).pGreedy() == 1.0).as("fact %d: %s", i, questions.get(i).answer())
                        .isEqualTo(decodeMatches.get(i));
            }
        }
    }
}
