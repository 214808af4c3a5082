package dev.knowgate.model.slick;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.ScoringRequest;
import dev.knowgate.model.runtime.TargetScore;
import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.model.runtime.TeacherForcing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SliCK by teacher forcing: no decoding at all. For each of the K prompts, the prompt followed by a
 * gold answer and the terminator runs through the model once; greedy decoding produces that answer
 * exactly when every answer token and the terminator is its position's argmax, and the probability
 * that one sample at temperature T with top-k produces it is the product of those positions'
 * renormalised probabilities. The answer and each alias are scored this way; they are distinct
 * token sequences ending in the terminator, so their sampling probabilities add up.
 *
 * <p>By default every sequence runs whole through the plain export ({@link TargetScorer}).
 * {@link #scoredBy} hands the scoring to another {@link TeacherForcing}, such as the KV-cache
 * {@link dev.knowgate.model.runtime.PrefixScorer} (the answer and its aliases share one pass over
 * their prompt). With {@link SlickConfig#promptSets()} per relation instead of per example, the
 * examples of a relation share their exemplars' pass too (a different protocol, see docs/slick.md).
 */
public final class ExactSlick implements SlickCategorizer {

    private static final int MAX_BATCH = 64;

    private final OnnxCausalLm model;
    private final TeacherForcing scorer;
    private final int padId;
    private final ModelTokenizer tokenizer;
    private final String modelKey;
    private final FewShotPrompt fewShot;
    private final int terminatorId;
    private final ExemplarPool pool;
    private final SlickConfig config;

    public ExactSlick(OnnxCausalLm model, ModelTokenizer tokenizer, int padId, String modelKey, String promptTemplate,
                      String terminator, ExemplarPool pool, SlickConfig config) {
        this(model, new TargetScorer(model, padId), tokenizer, padId, modelKey, promptTemplate, terminator, pool, config);
    }

    private ExactSlick(OnnxCausalLm model, TeacherForcing scorer, ModelTokenizer tokenizer, int padId, String modelKey,
                       String promptTemplate, String terminator, ExemplarPool pool, SlickConfig config) {
        this.model = model;
        this.scorer = scorer;
        this.padId = padId;
        this.tokenizer = tokenizer;
        this.modelKey = modelKey;
        this.fewShot = new FewShotPrompt(promptTemplate, terminator); // checks the template
        this.terminatorId = tokenizer.terminatorId(terminator);
        this.pool = pool;
        this.config = config;
    }

    /** The same categorizer, scoring through {@code scorer} (which must run the same model). */
    public ExactSlick scoredBy(TeacherForcing scorer) {
        return new ExactSlick(model, scorer, tokenizer, padId, modelKey, fewShot.template(), fewShot.terminator(), pool,
                config);
    }

    /** The same categorizer, drawing prompt sets per example or per relation. */
    public ExactSlick sharing(PromptSharing sharing) {
        return new ExactSlick(model, scorer, tokenizer, padId, modelKey, fewShot.template(), fewShot.terminator(), pool,
                config.withPromptSets(sharing));
    }

    /** The text before the answer: S exemplars with their answers, then the question. */
    public String prompt(List<Exemplar> exemplars, String question) {
        return fewShot.text(exemplars, question);
    }

    @Override
    public SlickMethod method() {
        return SlickMethod.EXACT;
    }

    /**
     * The longest token sequence (prompt, answer or alias, terminator) the question needs over its K
     * prompt sets; a question fits when this is at most {@link OnnxCausalLm#maxPositions()}.
     */
    @Override
    public int tokensNeeded(SlickQuestion question) {
        int goldLength = goldVariants(question).stream().mapToInt(g -> g.length).max().orElseThrow();
        int longest = 0;
        for (List<Exemplar> set : promptSets(question)) {
            longest = Math.max(longest, tokenizer.encode(prompt(set, question.question())).length + goldLength);
        }
        return longest;
    }

    /** Whether every prompt of the question fits the model (see {@link #tokensNeeded}). */
    public boolean fits(SlickQuestion question) {
        return tokensNeeded(question) <= model.maxPositions();
    }

    /**
     * The verdicts, in order. Every question must {@link #fits fit}; one that does not fails the
     * whole call with a {@link dev.knowgate.model.runtime.SequenceTooLongException}.
     */
    @Override
    public List<SlickResult> categorize(List<SlickQuestion> questions) throws OrtException {
        // One scoring request per (question, prompt, gold variant).
        List<ScoringRequest> requests = new ArrayList<>();
        List<int[]> owners = new ArrayList<>(); // {question, prompt}
        List<String> groups = new ArrayList<>();
        List<ExemplarPool.Pool> pools = new ArrayList<>();
        Map<List<Exemplar>, int[]> exemplarTokens = new LinkedHashMap<>();
        PromptSharing sharing = config.promptSets();
        for (int q = 0; q < questions.size(); q++) {
            SlickQuestion question = questions.get(q);
            ExemplarPool.Pool drawn = pool.poolFor(question.relation(), config.shots() + 1);
            pools.add(drawn);
            List<List<Exemplar>> sets = PromptSets.draw(sharing, question.id(), modelKey, drawn, config.prompts(),
                    config.shots());
            List<int[]> golds = goldVariants(question);
            for (int k = 0; k < sets.size(); k++) {
                int[] prompt = tokenizer.encode(prompt(sets.get(k), question.question()));
                int shared = prompt.length - 1; // the answer and its aliases share the prompt
                if (sharing == PromptSharing.PER_RELATION) {
                    int[] exemplars = exemplarTokens.computeIfAbsent(sets.get(k),
                            set -> tokenizer.encode(fewShot.exemplarText(set)));
                    if (exemplars.length < prompt.length
                            && Arrays.equals(exemplars, 0, exemplars.length, prompt, 0, exemplars.length)) {
                        shared = exemplars.length; // the question's examples share the exemplars
                    }
                }
                for (int[] gold : golds) {
                    int[] tokens = Arrays.copyOf(prompt, prompt.length + gold.length);
                    System.arraycopy(gold, 0, tokens, prompt.length, gold.length);
                    requests.add(new ScoringRequest(tokens, prompt.length, shared));
                    owners.add(new int[]{q, k});
                    groups.add(sharing == PromptSharing.PER_RELATION ? drawn.name() + "\u001f" + k : "");
                }
            }
        }
        Integer[] order = new Integer[requests.size()];
        Arrays.setAll(order, i -> i);
        // Requests that can share a prefix together; stable, so per-example order is kept.
        Arrays.sort(order, Comparator.comparing(groups::get));
        List<TargetScore> scores = new ArrayList<>(Collections.nCopies(requests.size(), (TargetScore) null));
        for (int from = 0; from < order.length; from += MAX_BATCH) {
            List<Integer> chunk = Arrays.asList(order).subList(from, Math.min(order.length, from + MAX_BATCH));
            List<TargetScore> scored = scorer.score(chunk.stream().map(requests::get).toList(), config.temperature(),
                    config.topK());
            for (int i = 0; i < chunk.size(); i++) {
                scores.set(chunk.get(i), scored.get(i));
            }
        }
        // Per question and prompt: greedy hit (any variant) and total sampling probability.
        boolean[][] greedy = new boolean[questions.size()][config.prompts()];
        double[][] sampled = new double[questions.size()][config.prompts()];
        for (int i = 0; i < scores.size(); i++) {
            int q = owners.get(i)[0];
            int k = owners.get(i)[1];
            greedy[q][k] |= scores.get(i).greedyMatches();
            sampled[q][k] += scores.get(i).sampledProbability();
        }
        List<SlickResult> results = new ArrayList<>(questions.size());
        for (int q = 0; q < questions.size(); q++) {
            results.add(result(greedy[q], sampled[q], pools.get(q)));
        }
        return results;
    }

    private SlickResult result(boolean[] greedy, double[] sampled, ExemplarPool.Pool drawn) {
        int hits = 0;
        double mean = 0;
        double logMiss = 0;
        for (int k = 0; k < greedy.length; k++) {
            hits += greedy[k] ? 1 : 0;
            double p = Math.min(1.0, sampled[k]);
            mean += p / greedy.length;
            logMiss += config.samplesPerPrompt() * Math.log1p(-Math.min(p, 1 - 1e-15));
        }
        double pGreedy = (double) hits / greedy.length;
        double pFound = Math.max(0.0, -Math.expm1(logMiss)); // not -0.0 when nothing can be sampled
        Category category = pGreedy == 1.0 ? Category.HIGHLY_KNOWN
                : pGreedy > 0 ? Category.MAYBE_KNOWN
                : pFound >= config.foundThreshold() ? Category.WEAKLY_KNOWN
                : Category.UNKNOWN;
        return new SlickResult(pGreedy, mean, pFound, category, drawn.name(), drawn.fallback());
    }

    /** The answer and its aliases as token sequences ending in the terminator, without repeats. */
    private List<int[]> goldVariants(SlickQuestion question) {
        Map<String, int[]> variants = new LinkedHashMap<>();
        List<String> answers = new ArrayList<>();
        answers.add(question.answer());
        answers.addAll(question.aliases());
        for (String answer : answers) {
            int[] ids = tokenizer.encode(answer);
            int[] withTerminator = Arrays.copyOf(ids, ids.length + 1);
            withTerminator[ids.length] = terminatorId;
            variants.putIfAbsent(Arrays.toString(withTerminator), withTerminator);
        }
        return List.copyOf(variants.values());
    }

    /**
     * Whether greedy decoding on the plain question (the template alone, no exemplars) gives the
     * gold answer or an alias: the paper's test accuracy after fine-tuning, by teacher forcing.
     * Questions must fit the model.
     */
    public boolean[] answersPlainQuestion(List<SlickQuestion> questions) throws OrtException {
        List<ScoringRequest> requests = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int q = 0; q < questions.size(); q++) {
            int[] prompt = tokenizer.encode(prompt(List.of(), questions.get(q).question()));
            for (int[] gold : goldVariants(questions.get(q))) {
                int[] tokens = Arrays.copyOf(prompt, prompt.length + gold.length);
                System.arraycopy(gold, 0, tokens, prompt.length, gold.length);
                requests.add(new ScoringRequest(tokens, prompt.length));
                owners.add(q);
            }
        }
        boolean[] correct = new boolean[questions.size()];
        for (int from = 0; from < requests.size(); from += MAX_BATCH) {
            List<TargetScore> scores = scorer.score(requests.subList(from, Math.min(requests.size(), from + MAX_BATCH)),
                    config.temperature(), config.topK());
            for (int i = 0; i < scores.size(); i++) {
                correct[owners.get(from + i)] |= scores.get(i).greedyMatches();
            }
        }
        return correct;
    }

    /** Greedy decoding, recomputing the prompt at every step: the plain way, to check the exact verdict. */
    public String greedyAnswer(List<Exemplar> exemplars, String question, int maxTokens) throws OrtException {
        int[] answer = greedyTokens(exemplars, question, maxTokens);
        return answer == null ? null : tokenizer.decode(answer);
    }

    /**
     * The tokens of the greedy answer, terminator excluded; null without a terminator within
     * {@code maxTokens}. With a BPE tokenizer they need not be the answer text's own tokenization.
     */
    public int[] greedyTokens(List<Exemplar> exemplars, String question, int maxTokens) throws OrtException {
        int[] tokens = tokenizer.encode(prompt(exemplars, question));
        List<Integer> answer = new ArrayList<>();
        for (int step = 0; step < maxTokens; step++) {
            int[] current = tokens;
            int next = model.forward(List.of(current), padId,
                    logits -> TargetScorer.argmax(logits.row(0, current.length - 1, new float[logits.vocab()])));
            if (next == terminatorId) {
                return answer.stream().mapToInt(Integer::intValue).toArray();
            }
            answer.add(next);
            tokens = Arrays.copyOf(tokens, tokens.length + 1);
            tokens[tokens.length - 1] = next;
        }
        return null; // no terminator within maxTokens: not an answer
    }

    /** The prompt sets a question gets under this model version (for reproducing a verdict). */
    public List<List<Exemplar>> promptSets(SlickQuestion question) {
        return PromptSets.draw(config.promptSets(), question.id(), modelKey,
                pool.poolFor(question.relation(), config.shots() + 1), config.prompts(), config.shots());
    }
}
