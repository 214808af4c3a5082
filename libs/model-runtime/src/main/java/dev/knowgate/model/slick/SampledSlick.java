package dev.knowgate.model.slick;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.Category;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.StopTokens;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.model.runtime.TopKSampler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * SliCK as the paper runs it: per question K few-shot prompts (the same ones {@link ExactSlick}
 * draws), per prompt one greedy decode and N samples at temperature T with top-k, each decoded
 * until the terminator; an answer counts when it equals the gold answer or an alias after
 * {@link AnswerNormalizer normalisation}. P_greedy is the share of prompts whose greedy answer
 * counts, P_sampled the share of the N x K samples that count, and the category follows the rule
 * with "P_sampled > 0" taken literally (pFound is 1 when a sample counted, else 0).
 *
 * <p>Every sample has its own random stream, seeded from the example id, the model version, the
 * prompt and the sample index: a verdict is reproducible, and does not depend on batching or on
 * which decoder produced the logits.
 */
public final class SampledSlick implements SlickCategorizer {

    private final TokenDecoder decoder;
    private final ModelTokenizer tokenizer;
    private final String modelKey;
    private final FewShotPrompt prompt;
    private final StopTokens stops;
    private final ExemplarPool pool;
    private final SlickConfig config;
    private final SampledOptions options;

    public SampledSlick(TokenDecoder decoder, ModelTokenizer tokenizer, String modelKey, String promptTemplate,
                        String terminator, ExemplarPool pool, SlickConfig config, SampledOptions options) {
        this(decoder, tokenizer, modelKey, promptTemplate, terminator, pool, config, options, null);
    }

    private SampledSlick(TokenDecoder decoder, ModelTokenizer tokenizer, String modelKey, String promptTemplate,
                         String terminator, ExemplarPool pool, SlickConfig config, SampledOptions options,
                         StopTokens stops) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.modelKey = modelKey;
        this.prompt = new FewShotPrompt(promptTemplate, terminator);
        this.stops = stops != null ? stops : StopTokens.of(tokenizer.terminatorId(terminator));
        this.pool = pool;
        this.config = config;
        this.options = options;
    }

    public SampledSlick(TokenDecoder decoder, ModelTokenizer tokenizer, String modelKey, String promptTemplate,
                        String terminator, ExemplarPool pool, SlickConfig config) {
        this(decoder, tokenizer, modelKey, promptTemplate, terminator, pool, config, SampledOptions.defaults());
    }

    /** The same categorizer, where a decode also ends at any of {@code eosIds} (see {@link ExactSlick#stoppingAlsoAt}). */
    public SampledSlick stoppingAlsoAt(int... eosIds) {
        return new SampledSlick(decoder, tokenizer, modelKey, prompt.template(), prompt.terminator(), pool, config, options,
                stops.and(eosIds));
    }

    /** The same categorizer, with exactly these stop tokens (the prompts keep the terminator's text); for tests. */
    SampledSlick withStops(StopTokens stops) {
        return new SampledSlick(decoder, tokenizer, modelKey, prompt.template(), prompt.terminator(), pool, config, options,
                stops);
    }

    @Override
    public dev.knowgate.contracts.SlickMethod method() {
        return dev.knowgate.contracts.SlickMethod.SAMPLED;
    }

    /** The text before the answer (as {@link ExactSlick#prompt}). */
    public String prompt(List<Exemplar> exemplars, String question) {
        return prompt.text(exemplars, question);
    }

    /** The prompt sets a question gets under this model version: the same as in exact mode. */
    public List<List<Exemplar>> promptSets(SlickQuestion question) {
        return PromptSets.draw(config.promptSets(), question.id(), modelKey, pool.poolFor(question.relation(), config.shots() + 1),
                config.prompts(), config.shots());
    }

    /**
     * The longest sequence (prompt, answer or alias, terminator) the question needs over its K
     * prompts: the same measure as {@link ExactSlick#tokensNeeded}, so both modes take the same questions.
     */
    public int tokensNeeded(SlickQuestion question) {
        int goldLength = 1 + question.answers().stream().mapToInt(g -> tokenizer.encode(g).length).max().orElseThrow();
        int longest = 0;
        for (List<Exemplar> set : promptSets(question)) {
            longest = Math.max(longest, tokenizer.encode(prompt.text(set, question.question())).length + goldLength);
        }
        return longest;
    }

    /** Whether the gold answer, decoded under every prompt, would fit the model's positions. */
    public boolean fits(SlickQuestion question) {
        return tokensNeeded(question) <= decoder.maxPositions();
    }

    /**
     * The verdicts, in order. A prompt longer than the model's positions fails the call with a
     * {@link dev.knowgate.model.runtime.SequenceTooLongException}; a decode that runs into the limit
     * is no answer.
     */
    public List<SlickResult> categorize(List<SlickQuestion> questions) throws OrtException {
        List<DecodeGroup> groups = new ArrayList<>();
        List<ExemplarPool.Pool> pools = new ArrayList<>();
        for (SlickQuestion question : questions) {
            ExemplarPool.Pool drawn = pool.poolFor(question.relation(), config.shots() + 1);
            pools.add(drawn);
            List<List<Exemplar>> sets = PromptSets.draw(config.promptSets(), question.id(), modelKey, drawn, config.prompts(),
                    config.shots());
            for (int k = 0; k < sets.size(); k++) {
                int[] tokens = tokenizer.encode(prompt.text(sets.get(k), question.question()));
                groups.add(new DecodeGroup(tokens, choosers(question.id(), k)));
            }
        }
        List<List<Decoded>> decoded = decodeInBatches(groups);
        List<SlickResult> results = new ArrayList<>(questions.size());
        int samples = config.samplesPerPrompt();
        for (int q = 0; q < questions.size(); q++) {
            SlickQuestion question = questions.get(q);
            List<String> golds = question.answers();
            int greedyHits = 0;
            int sampleHits = 0;
            for (int k = 0; k < config.prompts(); k++) {
                List<Decoded> rows = decoded.get(q * config.prompts() + k);
                greedyHits += counts(rows.get(0), golds) ? 1 : 0;
                for (int j = 1; j <= samples; j++) {
                    sampleHits += counts(rows.get(j), golds) ? 1 : 0;
                }
            }
            results.add(result(greedyHits, sampleHits, pools.get(q)));
        }
        return results;
    }

    /** Row 0 greedy, rows 1..N the samples, each with its own stream. */
    private List<TokenChooser> choosers(String exampleId, int promptIndex) {
        List<TokenChooser> rows = new ArrayList<>(1 + config.samplesPerPrompt());
        rows.add(TokenChooser.GREEDY);
        for (int j = 0; j < config.samplesPerPrompt(); j++) {
            rows.add(new TopKSampler(config.temperature(), config.topK(), sampleSeed(exampleId, modelKey, promptIndex, j)));
        }
        return rows;
    }

    private List<List<Decoded>> decodeInBatches(List<DecodeGroup> groups) throws OrtException {
        int perGroup = 1 + config.samplesPerPrompt();
        int groupsPerCall = Math.max(1, options.maxRowsPerBatch() / perGroup);
        List<List<Decoded>> decoded = new ArrayList<>(groups.size());
        for (int from = 0; from < groups.size(); from += groupsPerCall) {
            decoded.addAll(decoder.decode(groups.subList(from, Math.min(groups.size(), from + groupsPerCall)),
                    stops, options.maxAnswerTokens()));
        }
        return decoded;
    }

    private boolean counts(Decoded decoded, List<String> golds) {
        return decoded.answered() && AnswerNormalizer.matches(tokenizer.decode(decoded.tokens()), golds);
    }

    private SlickResult result(int greedyHits, int sampleHits, ExemplarPool.Pool drawn) {
        double pGreedy = (double) greedyHits / config.prompts();
        double pSampled = (double) sampleHits / ((double) config.prompts() * config.samplesPerPrompt());
        double pFound = sampleHits > 0 ? 1.0 : 0.0;
        Category category = greedyHits == config.prompts() ? Category.HIGHLY_KNOWN
                : greedyHits > 0 ? Category.MAYBE_KNOWN
                : sampleHits > 0 ? Category.WEAKLY_KNOWN
                : Category.UNKNOWN;
        return new SlickResult(pGreedy, pSampled, pFound, category, drawn.name(), drawn.fallback());
    }

    /** The seed of sample {@code sample} under prompt {@code prompt} of an example, for this model version. */
    static long sampleSeed(String exampleId, String modelKey, int prompt, int sample) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((exampleId + "\u001f" + modelKey + "\u001f"
                    + prompt + "\u001f" + sample).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
