package dev.knowgate.model.slick;

import dev.knowgate.contracts.Example;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.StopTokens;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21's exactness test on a trained BPE model: the shipped knowgate-llama@1 (Llama architecture,
 * Mistral 7B's tokenizer, newline terminator). On 203 pool facts spread over every exposure, exact
 * mode's P_greedy (teacher forcing, greedy decoding only where the greedy answer leaves the gold
 * tokens) equals what a real greedy decode through the KV cache gives under the same prompts, as
 * sampled mode decodes them: the answer text up to the terminator, within 16 tokens, normalised.
 * Four prompts of four exemplars per fact (the paper draws ten; each prompt is judged alone, so four
 * check the same mechanism on 812 prompts in a CI-sized time).
 */
class ShippedLlamaSlickTest {

    static final Path SHIPPED = Path.of("..", "..", "models", "knowgate-llama-1");
    static final int MAX_NEW_TOKENS = 16;

    /** Every n-th fact of the fine-tuning pool (spread over every exposure), as SliCK questions. */
    static List<SlickQuestion> everyNthPoolFact(int n) {
        List<Fact> pool = FactWorld.generate(WorldConfig.standard(42L)).finetunePool();
        List<SlickQuestion> questions = new ArrayList<>();
        for (int i = 0; i < pool.size(); i += n) {
            Example e = pool.get(i).toExample();
            questions.add(new SlickQuestion(e.id(), e.relation(), e.question(), e.answer(), e.aliases()));
        }
        return questions;
    }

    @Test
    void exactModesGreedyVerdictIsARealGreedyDecodesOnEveryFact() throws Exception {
        ModelFolder folder = ModelFolder.open(SHIPPED);
        SlickConfig config = new SlickConfig(4, 4, 16, 0.5, 40, 0.5);
        List<SlickQuestion> questions = everyNthPoolFact(20);
        assertThat(questions).hasSizeGreaterThanOrEqualTo(200);
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
             ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             PrefixScorer prefix = PrefixScorer.forFolder(folder, RuntimeOptions.cpu(), 0, model);
             TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), model, 0)) {
            String terminator = folder.manifest().answerTerminator();
            ExactSlick exact = new ExactSlick(model, tokenizer, 0, folder.manifest().key(),
                    folder.manifest().promptTemplate(), terminator,
                    new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME))), config).scoredBy(prefix);
            List<SlickResult> verdicts = exact.categorize(questions);

            List<DecodeGroup> groups = new ArrayList<>();
            for (SlickQuestion q : questions) {
                for (List<Exemplar> set : exact.promptSets(q)) {
                    groups.add(new DecodeGroup(tokenizer.encode(exact.prompt(set, q.question())),
                            List.of(TokenChooser.GREEDY)));
                }
            }
            List<Decoded> greedy = new ArrayList<>();
            for (int from = 0; from < groups.size(); from += 32) {
                for (List<Decoded> g : decoder.decode(groups.subList(from, Math.min(groups.size(), from + 32)),
                        tokenizer.terminatorId(terminator), MAX_NEW_TOKENS)) {
                    greedy.add(g.get(0));
                }
            }
            int[] byGreedy = new int[config.prompts() + 1];
            for (int i = 0; i < questions.size(); i++) {
                SlickQuestion q = questions.get(i);
                int right = 0;
                for (int p = 0; p < config.prompts(); p++) {
                    Decoded d = greedy.get(i * config.prompts() + p);
                    right += d.answered() && AnswerNormalizer.matches(tokenizer.decode(d.tokens()), q.answers()) ? 1 : 0;
                }
                assertThat(verdicts.get(i).pGreedy()).as("P_greedy of '%s' -> '%s'", q.question(), q.answer())
                        .isEqualTo((double) right / config.prompts());
                byGreedy[right]++;
            }
            // Not a trivial agreement: the sample holds facts the model answers under no, some and all prompts.
            assertThat(byGreedy[0]).isGreaterThan(20);
            assertThat(byGreedy[config.prompts()]).isGreaterThan(20);
            assertThat(questions.size() - byGreedy[0] - byGreedy[config.prompts()]).isGreaterThan(5);
        }
    }

    /**
     * Several stop tokens (a generation_config.json listing EOS ids, as Llama 3's lists three): the
     * shipped model ends its answers with a newline, and then, as its pre-training documents did, often
     * with {@code </s>}. With {@code </s>} as the only stop token the answers run on through the
     * newline; with {@code </s>} first and the newline second, both modes give back the
     * newline-terminated verdicts: the same P_greedy and category on every fact, the same greedy
     * decodes and samples, and a sampling probability at least the newline's.
     */
    @Test
    void anAnswerEndsAtAnyStopTokenAsAGenerateCallEndsIt() throws Exception {
        ModelFolder folder = ModelFolder.open(SHIPPED);
        SlickConfig config = new SlickConfig(2, 4, 16, 0.5, 40, 0.5);
        List<SlickQuestion> questions = everyNthPoolFact(60);
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
             ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             PrefixScorer prefix = PrefixScorer.forFolder(folder, RuntimeOptions.cpu(), 0, model);
             TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), model, 0)) {
            ExemplarPool exemplars = new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME)));
            String key = folder.manifest().key();
            String template = folder.manifest().promptTemplate();
            int newline = tokenizer.terminatorId("\n");
            int eos = tokenizer.terminatorId("</s>");
            // The shipped version's generation_config.json names </s>; the services stop there too.
            assertThat(StopTokens.eosIds(folder, model.vocabSize())).containsExactly(eos);

            ExactSlick byNewline = new ExactSlick(model, tokenizer, 0, key, template, "\n", exemplars, config).scoredBy(prefix);
            assertThat(byNewline.stoppingAlsoAt(eos, newline).stops().ids()).containsExactly(newline, eos);
            List<SlickResult> newlineOnly = byNewline.categorize(questions);
            List<SlickResult> eosOnly = byNewline.withStops(StopTokens.of(eos)).categorize(questions);
            List<SlickResult> either = byNewline.withStops(StopTokens.of(eos, newline)).categorize(questions);
            assertThat(newlineOnly).anyMatch(r -> r.pGreedy() == 1.0);
            int differing = 0;
            for (int i = 0; i < questions.size(); i++) {
                // Ended at </s> the answer is the newline's answer and more: it counts at most as often.
                assertThat(eosOnly.get(i).pGreedy()).isLessThanOrEqualTo(newlineOnly.get(i).pGreedy());
                differing += eosOnly.get(i).equals(newlineOnly.get(i)) ? 0 : 1;
                assertThat(either.get(i).pGreedy()).as(questions.get(i).question()).isEqualTo(newlineOnly.get(i).pGreedy());
                // Other batches round float32 logits differently: equal to a few parts in a million.
                assertThat(either.get(i).pSampled()).isGreaterThanOrEqualTo(newlineOnly.get(i).pSampled() * (1 - 1e-5));
                assertThat(either.get(i).category()).isEqualTo(newlineOnly.get(i).category());
            }
            assertThat(differing).as("the stop tokens change the verdicts").isGreaterThan(questions.size() / 2);

            // The decoders stop at any stop token, the first or a later one.
            List<DecodeGroup> groups = new ArrayList<>();
            for (SlickQuestion q : questions.subList(0, 8)) {
                groups.add(new DecodeGroup(tokenizer.encode(byNewline.prompt(byNewline.promptSets(q).get(0), q.question())),
                        List.of(TokenChooser.GREEDY)));
            }
            List<List<Decoded>> byNewlineDecoded = decoder.decode(groups, newline, MAX_NEW_TOKENS);
            assertThat(byNewlineDecoded).allMatch(g -> g.get(0).answered());
            assertThat(decoder.decode(groups, StopTokens.of(eos, newline), MAX_NEW_TOKENS)).isEqualTo(byNewlineDecoded);
            List<List<Decoded>> byEosDecoded = decoder.decode(groups, StopTokens.of(eos), MAX_NEW_TOKENS);
            for (int g = 0; g < groups.size(); g++) {
                int[] upToNewline = byNewlineDecoded.get(g).get(0).tokens();
                assertThat(byEosDecoded.get(g).get(0).tokens()).startsWith(upToNewline)
                        .contains(newline, org.assertj.core.data.Index.atIndex(upToNewline.length));
            }
            SampledSlick sampled = new SampledSlick(decoder, tokenizer, key, template, "\n", exemplars, config);
            List<SlickQuestion> few = questions.subList(0, 8);
            assertThat(sampled.withStops(StopTokens.of(eos, newline)).categorize(few)).isEqualTo(sampled.categorize(few));
        }
    }
}
