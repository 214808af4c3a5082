package dev.knowgate.model.slick;

import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.ScoringRequest;
import dev.knowgate.model.runtime.TargetScore;
import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Teacher forcing on shared prefixes, against whole sequences through the plain export, on the
 * shipped base model: the same scores position by position through both KV paths (the selected-rows
 * variant built from the weights, and the shipped KV-cache export with every position's logits), and
 * the same SliCK verdicts whether the prompt sets are drawn per example or per relation.
 */
class PrefixScoringTest {

    static ModelFolder base;
    static OnnxCausalLm lm;
    static ModelTokenizer tokenizer;
    static PrefixScorer prefixScorer;
    static PrefixScorer fullLogits;
    static ExactSlick plain;
    static List<SlickQuestion> questions = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        base = ModelFolder.open(Path.of("..", "..", "models", "knowgate-base-1"));
        lm = OnnxCausalLm.load(base, RuntimeOptions.cpu());
        tokenizer = ModelTokenizer.load(base);
        prefixScorer = PrefixScorer.load(base, RuntimeOptions.cpu(), 0);
        fullLogits = PrefixScorer.loadKvExport(base, RuntimeOptions.cpu(), 0);
        FactWorld standard = FactWorld.generate(WorldConfig.preset("standard", 42L));
        List<Exemplar> exemplars = standard.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList();
        plain = new ExactSlick(lm, tokenizer, 0, base.manifest().key(), QaFormat.PROMPT_TEMPLATE,
                QaFormat.ANSWER_TERMINATOR, new ExemplarPool(exemplars), SlickConfig.paper());
        List<Fact> pool = standard.finetunePool();
        for (int i = 0; i < 60; i++) {
            Fact fact = pool.get(i * (pool.size() / 60)); // every exposure level: all four categories
            // Every third with an alias, so the answer and its aliases share one prompt pass.
            List<String> aliases = i % 3 == 0 ? List.of(fact.answer() + " Jr", "the " + fact.answer()) : List.of();
            questions.add(new SlickQuestion(fact.toExample().id(), fact.relation().name(), fact.question(),
                    fact.answer(), aliases));
        }
    }

    @AfterAll
    static void close() throws Exception {
        prefixScorer.close();
        fullLogits.close();
        lm.close();
        tokenizer.close();
    }

    @Test
    void scoresEqualWholeSequenceScoringWhateverThePrefixAndPadding() throws Exception {
        int[] a = tokenizer.encode("Q: Who wrote The Silence of Skaikrom ? A: Fathkind Sossheir");
        int[] b = tokenizer.encode("Q: Who wrote The Silence of Skaikrom ? A: somebody else entirely here");
        int[] c = tokenizer.encode("Q: Where was it ? A: Paris");
        List<ScoringRequest> requests = List.of(
                new ScoringRequest(a, a.length - 2, 3),         // shares 3 tokens with b
                new ScoringRequest(b, b.length - 4, 3),
                new ScoringRequest(b, b.length - 1),            // the default: all but the last prompt token
                new ScoringRequest(c, 2, 0),                    // nothing shared, no past at all
                new ScoringRequest(c, c.length - 1, c.length - 2));
        List<TargetScore> expected = new TargetScorer(lm, 0).score(requests, 0.5, 40);
        assertSameScores(requests, expected, prefixScorer.score(requests, 0.5, 40));
        assertSameScores(requests, expected, fullLogits.score(requests, 0.5, 40));
    }

    private static void assertSameScores(List<ScoringRequest> requests, List<TargetScore> expected,
                                         List<TargetScore> actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < requests.size(); i++) {
            assertThat(actual.get(i).argmax()).as("request %d", i).isEqualTo(expected.get(i).argmax());
            for (int t = 0; t < requests.get(i).targets(); t++) {
                assertThat(actual.get(i).logProb()[t]).as("request %d, target %d", i, t)
                        .isCloseTo(expected.get(i).logProb()[t], within(1e-4));
                assertThat(actual.get(i).sampledLogProb()[t]).as("request %d, target %d", i, t)
                        .isCloseTo(expected.get(i).sampledLogProb()[t], within(1e-4));
            }
        }
    }

    @Test
    void perExampleVerdictsAreTheSameThroughEitherScorer() throws Exception {
        assertSameVerdicts(plain.categorize(questions), plain.scoredBy(prefixScorer).categorize(questions));
    }

    @Test
    void perRelationVerdictsAreTheSameThroughEitherScorer() throws Exception {
        ExactSlick shared = plain.sharing(PromptSharing.PER_RELATION);
        List<SlickResult> whole = shared.categorize(questions);
        assertSameVerdicts(whole, shared.scoredBy(prefixScorer).categorize(questions));
        assertSameVerdicts(whole, shared.scoredBy(fullLogits).categorize(questions));
    }

    @Test
    void perRelationSetsAreSharedAndNeverHoldTheExample() {
        ExactSlick shared = plain.sharing(PromptSharing.PER_RELATION);
        SlickQuestion first = questions.get(0);
        SlickQuestion sameRelation = questions.stream().skip(1)
                .filter(q -> q.relation().equals(first.relation())).findFirst().orElseThrow();
        assertThat(shared.promptSets(sameRelation)).isEqualTo(shared.promptSets(first));
        assertThat(plain.promptSets(sameRelation)).isNotEqualTo(plain.promptSets(first));
        // An exemplar asked about itself gets sets without it.
        Exemplar exemplar = shared.promptSets(first).get(0).get(0);
        SlickQuestion itself = new SlickQuestion(exemplar.id(), first.relation(), exemplar.question(), exemplar.answer(),
                List.of());
        List<List<Exemplar>> sets = shared.promptSets(itself);
        assertThat(sets).hasSize(SlickConfig.paper().prompts())
                .allSatisfy(set -> assertThat(set).extracting(Exemplar::id).doesNotContain(exemplar.id()));
    }

    private static void assertSameVerdicts(List<SlickResult> expected, List<SlickResult> actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).category()).as("question %d", i).isEqualTo(expected.get(i).category());
            assertThat(actual.get(i).pGreedy()).as("question %d", i).isEqualTo(expected.get(i).pGreedy());
            assertThat(actual.get(i).pSampled()).as("question %d", i).isCloseTo(expected.get(i).pSampled(), within(1e-4));
        }
        assertThat(expected.stream().map(SlickResult::category).distinct().count()).as("categories seen").isGreaterThan(2);
    }
}
