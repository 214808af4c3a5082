package dev.knowgate.model.slick;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Evidence;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.DecodeGroup;
import dev.knowgate.model.runtime.Decoded;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RecomputingDecoder;
import dev.knowgate.model.runtime.ScoringRequest;
import dev.knowgate.model.runtime.StopTokens;
import dev.knowgate.model.runtime.TargetScore;
import dev.knowgate.model.runtime.TargetScorer;
import dev.knowgate.model.runtime.TeacherForcing;
import dev.knowgate.model.runtime.TokenChooser;
import dev.knowgate.model.runtime.TokenDecoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * SliCK by teacher forcing, decoding only where it must. For each of the K prompts, the prompt
 * followed by a gold answer and the terminator runs through the model once; greedy decoding
 * produces that answer exactly when every answer token and the terminator is its position's argmax,
 * and the probability that one sample at temperature T with top-k produces it is the product of
 * those positions' renormalised probabilities. The answer and each alias are scored this way; they are distinct
 * token sequences ending in the terminator, so their sampling probabilities add up.
 *
 * <p>With a BPE tokenizer the greedy answer can be the gold text in other tokens, or a text that
 * normalises to gold; the few prompts whose greedy answer may still be such a text are decoded
 * greedily from where teacher forcing lost them (see {@link #greedyBeyondVariants}), so P_greedy is a
 * real greedy decode's.
 *
 * <p>By default every sequence runs whole through the plain export ({@link TargetScorer}).
 * {@link #scoredBy} hands the scoring to another {@link TeacherForcing}, such as the KV-cache
 * {@link dev.knowgate.model.runtime.PrefixScorer} (the answer and its aliases share one pass over
 * their prompt). With {@link SlickConfig#promptSets()} per relation instead of per example, the
 * examples of a relation share their exemplars' pass too (a different protocol, see docs/slick.md).
 */
public final class ExactSlick implements SlickCategorizer {

    private static final int MAX_BATCH = 64;
    /** The longest greedy answer, in tokens before the terminator: sampled mode's limit. */
    private static final int MAX_ANSWER_TOKENS = SampledOptions.defaults().maxAnswerTokens();
    /**
     * With float16 logits (optimum's {@code --dtype fp16}) a greedy choice that leads its runner-up by
     * at most this share of its logit ({@link TargetScore#lead}) is a near-tie: rounding to float16 and a
     * float16 cache move logits by up to about 2^-9 of their size between teacher forcing and a
     * token-by-token decode (measured: 0.0019 on logits of about 1), and this is 8 times that. A prompt
     * with a near-tie on its greedy path is decoded whole instead.
     */
    public static final double FLOAT16_NEAR_TIE = 0x1p-6;

    private final OnnxCausalLm model;
    private final TeacherForcing scorer;
    private final TokenDecoder greedyDecoder;
    private final AtomicLong promptsScored = new AtomicLong();
    private final AtomicLong promptsDecoded = new AtomicLong();
    private final AtomicLong nearTies = new AtomicLong();
    /** The lead at or below which teacher forcing cannot tell greedy's choice; 0 (never) with float32 logits. */
    private final double nearTie;
    private final AtomicLong countedResegmented = new AtomicLong();
    private final AtomicLong countedNormalised = new AtomicLong();
    private final int padId;
    private final ModelTokenizer tokenizer;
    private final String modelKey;
    private final FewShotPrompt fewShot;
    private final StopTokens stops;
    private final ExemplarPool pool;
    private final SlickConfig config;

    public ExactSlick(OnnxCausalLm model, ModelTokenizer tokenizer, int padId, String modelKey, String promptTemplate,
                      String terminator, ExemplarPool pool, SlickConfig config) {
        this(model, new TargetScorer(model, padId), tokenizer, padId, modelKey, promptTemplate, terminator, pool, config,
                null);
    }

    private ExactSlick(OnnxCausalLm model, TeacherForcing scorer, ModelTokenizer tokenizer, int padId, String modelKey,
                       String promptTemplate, String terminator, ExemplarPool pool, SlickConfig config,
                       StopTokens stops) {
        this.model = model;
        this.scorer = scorer;
        this.nearTie = model.float16Logits() ? FLOAT16_NEAR_TIE : 0;
        // Through the KV cache where the scorer has one: recomputation runs the whole prompt per token.
        this.greedyDecoder = scorer instanceof PrefixScorer prefix ? prefix.decoder() : new RecomputingDecoder(model, padId);
        this.padId = padId;
        this.tokenizer = tokenizer;
        this.modelKey = modelKey;
        this.fewShot = new FewShotPrompt(promptTemplate, terminator); // checks the template
        this.stops = stops != null ? stops : StopTokens.of(tokenizer.terminatorId(terminator));
        this.pool = pool;
        this.config = config;
    }

    /**
     * Exact SliCK for a verified version: its key, prompt template and terminator from the manifest,
     * and its generation_config.json's EOS ids as stop tokens too (see {@link #stoppingAlsoAt}).
     */
    public static ExactSlick forVersion(ModelFolder version, OnnxCausalLm model, ModelTokenizer tokenizer,
                                        ExemplarPool pool, SlickConfig config) throws IOException {
        ModelVersion m = version.manifest();
        // Padded positions are masked out, so any valid id pads; 0 is one in every vocabulary.
        return new ExactSlick(model, tokenizer, 0, m.key(), m.promptTemplate(), m.answerTerminator(), pool, config)
                .stoppingAlsoAt(StopTokens.eosIds(version, model.vocabSize()));
    }

    /** The same categorizer, scoring through {@code scorer} (which must run the same model). */
    public ExactSlick scoredBy(TeacherForcing scorer) {
        return new ExactSlick(model, scorer, tokenizer, padId, modelKey, fewShot.template(), fewShot.terminator(), pool,
                config, stops);
    }

    /** The same categorizer, drawing prompt sets per example or per relation. */
    public ExactSlick sharing(PromptSharing sharing) {
        return new ExactSlick(model, scorer, tokenizer, padId, modelKey, fewShot.template(), fewShot.terminator(), pool,
                config.withPromptSets(sharing), stops);
    }

    /**
     * The same categorizer, where an answer also ends at any of {@code eosIds} (the model's
     * generation_config.json, {@link StopTokens#eosIds}), as a real generate() ends it: a gold answer
     * counts followed by any stop token, and its sampling probability is summed over them.
     */
    public ExactSlick stoppingAlsoAt(int... eosIds) {
        return new ExactSlick(model, scorer, tokenizer, padId, modelKey, fewShot.template(), fewShot.terminator(), pool,
                config, stops.and(eosIds));
    }

    /** The same categorizer, with exactly these stop tokens (the prompts keep the terminator's text); for tests. */
    ExactSlick withStops(StopTokens stops) {
        return new ExactSlick(model, scorer, tokenizer, padId, modelKey, fewShot.template(), fewShot.terminator(), pool,
                config, stops);
    }

    /** What ends an answer: the terminator, then the model's other EOS ids. */
    public StopTokens stops() {
        return stops;
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
        int goldLength = goldVariants(question).stream().mapToInt(g -> g.tokens().length).max().orElseThrow();
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
        List<Integer> slots = new ArrayList<>(); // question * K + prompt
        List<Boolean> counting = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<ExemplarPool.Pool> pools = new ArrayList<>();
        int prompts = config.prompts();
        int[][] promptTokens = new int[questions.size() * prompts][];
        Map<List<Exemplar>, int[]> exemplarTokens = new LinkedHashMap<>();
        PromptSharing sharing = config.promptSets();
        for (int q = 0; q < questions.size(); q++) {
            SlickQuestion question = questions.get(q);
            ExemplarPool.Pool drawn = pool.poolFor(question.relation(), config.shots() + 1);
            pools.add(drawn);
            List<List<Exemplar>> sets = PromptSets.draw(sharing, question.id(), modelKey, drawn, prompts,
                    config.shots());
            List<Gold> golds = goldVariants(question);
            for (int k = 0; k < sets.size(); k++) {
                int[] prompt = tokenizer.encode(prompt(sets.get(k), question.question()));
                promptTokens[q * prompts + k] = prompt;
                int shared = prompt.length - 1; // the answer and its aliases share the prompt
                if (sharing == PromptSharing.PER_RELATION) {
                    int[] exemplars = exemplarTokens.computeIfAbsent(sets.get(k),
                            set -> tokenizer.encode(fewShot.exemplarText(set)));
                    if (exemplars.length < prompt.length
                            && Arrays.equals(exemplars, 0, exemplars.length, prompt, 0, exemplars.length)) {
                        shared = exemplars.length; // the question's examples share the exemplars
                    }
                }
                for (Gold gold : golds) {
                    requests.add(new ScoringRequest(concat(prompt, gold.tokens()), prompt.length, shared)
                            .endingAlsoWith(otherStops()));
                    counting.add(gold.counts());
                    slots.add(q * prompts + k);
                    groups.add(sharing == PromptSharing.PER_RELATION ? drawn.name() + "\u001f" + k : "");
                }
            }
        }
        List<TargetScore> scores = scoreGrouped(requests, groups);
        // Per question and prompt: greedy hit (any variant) and total sampling probability.
        boolean[] greedy = new boolean[promptTokens.length];
        double[] sampled = new double[promptTokens.length];
        for (int i = 0; i < scores.size(); i++) {
            if (counting.get(i)) {
                greedy[slots.get(i)] |= scores.get(i).greedyMatches();
                sampled[slots.get(i)] += scores.get(i).sampledProbability();
            }
        }
        // A greedy answer that counts in other tokens than the variants' (see greedyBeyondVariants)
        // is one more way to sample it: its probability adds to the variants'.
        int[][] beyond = greedyBeyondVariants(promptTokens, q -> questions.get(q / prompts).answers(), scores, slots,
                counting, greedy);
        List<ScoringRequest> extra = new ArrayList<>();
        List<Integer> extraSlots = new ArrayList<>();
        for (int slot = 0; slot < beyond.length; slot++) {
            if (beyond[slot] != null) {
                greedy[slot] = true;
                int[] answer = Arrays.copyOf(beyond[slot], beyond[slot].length + 1);
                answer[beyond[slot].length] = stops.terminator();
                extra.add(new ScoringRequest(concat(promptTokens[slot], answer), promptTokens[slot].length)
                        .endingAlsoWith(otherStops()));
                extraSlots.add(slot);
            }
        }
        List<TargetScore> extraScores = scoreGrouped(extra, Collections.nCopies(extra.size(), ""));
        for (int i = 0; i < extraScores.size(); i++) {
            sampled[extraSlots.get(i)] += extraScores.get(i).sampledProbability();
        }
        List<SlickResult> results = new ArrayList<>(questions.size());
        for (int q = 0; q < questions.size(); q++) {
            results.add(result(Arrays.copyOfRange(greedy, q * prompts, (q + 1) * prompts),
                    Arrays.copyOfRange(sampled, q * prompts, (q + 1) * prompts), pools.get(q)));
        }
        return results;
    }

    /** The requests' scores in their order, scored in chunks, requests of one group together. */
    private List<TargetScore> scoreGrouped(List<ScoringRequest> requests, List<String> groups) throws OrtException {
        Integer[] order = new Integer[requests.size()];
        Arrays.setAll(order, i -> i);
        // Requests that can share a prefix together; stable, so per-example order is kept.
        Arrays.sort(order, Comparator.comparing(groups::get));
        List<TargetScore> scores = new ArrayList<>(Collections.nCopies(requests.size(), (TargetScore) null));
        // A prefix scorer splits a call into passes itself and runs them on its lanes at once: all of it in one call.
        int perCall = scorer instanceof PrefixScorer ? Math.max(1, order.length) : MAX_BATCH;
        for (int from = 0; from < order.length; from += perCall) {
            List<Integer> chunk = Arrays.asList(order).subList(from, Math.min(order.length, from + perCall));
            List<TargetScore> scored = scorer.score(chunk.stream().map(requests::get).toList(), config.temperature(),
                    config.topK());
            for (int i = 0; i < chunk.size(); i++) {
                scores.set(chunk.get(i), scored.get(i));
            }
        }
        return scores;
    }

    /**
     * Where no gold variant is the greedy answer, the greedy answer may still count: the same text in
     * other tokens (a BPE tokenizer's other segmentation of it) or a text that normalises to gold.
     * Teacher forcing already knows how it starts: each variant's tokens up to its first miss, then
     * that position's argmax. When that argmax is the terminator the answer is known whole; when the
     * start may still lead to gold ({@link AnswerNormalizer#mayMatchAfter}) greedy decoding finishes
     * it; otherwise it cannot count. So the verdict is a real greedy decode's, at the cost of
     * decoding only the few prompts whose greedy answer left the variants on the way to gold.
     *
     * <p>With float16 logits a prompt whose greedy path has a near-tie ({@link #FLOAT16_NEAR_TIE})
     * is decoded whole, and the decode's answer decides: {@code answered} is set or cleared for it.
     *
     * @return per slot (question x prompt), the greedy answer's tokens when it counts and no variant
     *         is it (null elsewhere)
     */
    private int[][] greedyBeyondVariants(int[][] promptTokens, IntFunction<List<String>> golds,
                                         List<TargetScore> scores, List<Integer> slots, List<Boolean> counting,
                                         boolean[] answered) throws OrtException {
        boolean[] tied = new boolean[promptTokens.length];
        for (int i = 0; nearTie > 0 && i < scores.size(); i++) {
            tied[slots.get(i)] |= scores.get(i).nearTieOnGreedyPath(nearTie);
        }
        int[][] start = new int[promptTokens.length][];
        for (int i = 0; i < scores.size(); i++) {
            int slot = slots.get(i);
            TargetScore score = scores.get(i);
            if (answered[slot] || tied[slot]) {
                continue;
            }
            int[] targets = score.targets();
            int miss = 0;
            while (miss < targets.length && score.argmax()[miss] == targets[miss]) {
                miss++;
            }
            // Greedy produced a variant that does not count (see Gold) whole, or left it at miss.
            int[] begun = Arrays.copyOf(targets, Math.min(miss + 1, targets.length));
            if (miss < targets.length) {
                begun[miss] = score.argmax()[miss];
            }
            if (start[slot] == null || start[slot].length < begun.length) {
                start[slot] = begun;
            }
        }
        int[][] counted = new int[promptTokens.length][];
        List<DecodeGroup> toFinish = new ArrayList<>();
        List<Integer> finishing = new ArrayList<>();
        List<DecodeGroup> whole = new ArrayList<>();
        List<Integer> wholeSlots = new ArrayList<>();
        for (int slot = 0; slot < start.length; slot++) {
            if (tied[slot]) {
                whole.add(new DecodeGroup(promptTokens[slot], List.of(TokenChooser.GREEDY)));
                wholeSlots.add(slot);
                continue;
            }
            int[] begun = start[slot];
            if (begun == null) {
                continue;
            }
            int last = begun[begun.length - 1];
            if (stops.contains(last)) {
                int[] answer = Arrays.copyOf(begun, begun.length - 1);
                if (counts(answer, golds.apply(slot))) {
                    counted[slot] = answer;
                }
            } else if (begun.length <= MAX_ANSWER_TOKENS
                    && AnswerNormalizer.mayMatchAfter(tokenizer.decode(begun), golds.apply(slot))) {
                toFinish.add(new DecodeGroup(concat(promptTokens[slot], begun), List.of(TokenChooser.GREEDY)));
                finishing.add(slot);
            }
        }
        promptsScored.addAndGet(promptTokens.length);
        promptsDecoded.addAndGet(toFinish.size() + whole.size());
        nearTies.addAndGet(whole.size());
        List<List<Decoded>> decodedWhole = whole.isEmpty() ? List.of()
                : greedyDecoder.decode(whole, stops, MAX_ANSWER_TOKENS);
        for (int i = 0; i < wholeSlots.size(); i++) {
            int slot = wholeSlots.get(i);
            Decoded decoded = decodedWhole.get(i).get(0);
            int[] answer = decoded.tokens();
            answered[slot] = false;
            if (!decoded.answered()) {
                continue;
            }
            for (int s = 0; s < scores.size(); s++) {
                int[] targets = scores.get(s).targets();
                answered[slot] |= slots.get(s) == slot && counting.get(s)
                        && Arrays.equals(targets, 0, targets.length - 1, answer, 0, answer.length);
            }
            if (!answered[slot] && counts(answer, golds.apply(slot))) {
                counted[slot] = answer; // not a variant: its sampling probability is added by the caller
            }
        }
        // Every start has at least one token: an answer longer than MAX_ANSWER_TOKENS is none. The
        // decoders bound their own memory.
        List<List<Decoded>> finished = greedyDecoder.decode(toFinish, stops, MAX_ANSWER_TOKENS - 1);
        for (int i = 0; i < finishing.size(); i++) {
            int slot = finishing.get(i);
            Decoded rest = finished.get(i).get(0);
            int[] answer = concat(start[slot], rest.tokens());
            if (rest.answered() && answer.length <= MAX_ANSWER_TOKENS && counts(answer, golds.apply(slot))) {
                counted[slot] = answer;
            }
        }
        return counted;
    }

    /** Whether a greedy answer outside the variants counts, tallied as the gold text in other tokens or not. */
    private boolean counts(int[] answer, List<String> golds) {
        String text = tokenizer.decode(answer);
        if (!AnswerNormalizer.matches(text, golds)) {
            return false;
        }
        boolean sameText = golds.stream().anyMatch(g -> g.strip().equals(text.strip()));
        (sameText ? countedResegmented : countedNormalised).incrementAndGet();
        return true;
    }

    /**
     * What exactness beyond teacher forcing has taken so far, for benchmarks.
     *
     * @param prompts     prompts judged
     * @param decoded     prompts finished by greedy decoding (see {@link #greedyBeyondVariants})
     * @param resegmented greedy answers that counted as a gold text in other tokens
     * @param normalised  greedy answers that counted as another text normalising to gold
     * @param nearTies    prompts decoded whole for a near-tie on their greedy path (float16 logits only)
     */
    public record GreedyWork(long prompts, long decoded, long resegmented, long normalised, long nearTies) {
    }

    public GreedyWork greedyWork() {
        return new GreedyWork(promptsScored.get(), promptsDecoded.get(), countedResegmented.get(),
                countedNormalised.get(), nearTies.get());
    }

    private static int[] concat(int[] first, int[] second) {
        int[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
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

    /**
     * A gold answer's tokens, terminator included; one that normalises to nothing (such as "The")
     * never counts, as in sampled mode, but is scored all the same: it tells where greedy went.
     */
    private record Gold(int[] tokens, boolean counts) {
    }

    /**
     * The answer and its aliases as token sequences ending in the terminator, without repeats; each is
     * scored as ending with any stop token ({@link #otherStops}, from the same logits row).
     */
    private List<Gold> goldVariants(SlickQuestion question) {
        Map<String, Gold> variants = new LinkedHashMap<>();
        for (String answer : question.answers()) {
            int[] ids = tokenizer.encode(answer);
            int[] withTerminator = Arrays.copyOf(ids, ids.length + 1);
            withTerminator[ids.length] = stops.terminator();
            variants.putIfAbsent(Arrays.toString(withTerminator),
                    new Gold(withTerminator, !AnswerNormalizer.normalize(answer).isEmpty()));
        }
        return List.copyOf(variants.values());
    }

    /** The stop tokens besides the terminator: an answer's last target may be any of them. */
    private int[] otherStops() {
        int[] ids = stops.ids();
        return Arrays.copyOfRange(ids, 1, ids.length);
    }

    /**
     * Whether greedy decoding on the plain question (the template alone, no exemplars) gives the
     * gold answer or an alias: the paper's test accuracy after fine-tuning, by teacher forcing.
     * Questions must fit the model.
     */
    public boolean[] answersPlainQuestion(List<SlickQuestion> questions) throws OrtException {
        List<ScoringRequest> requests = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        List<Boolean> counting = new ArrayList<>();
        int[][] prompts = new int[questions.size()][];
        for (int q = 0; q < questions.size(); q++) {
            prompts[q] = tokenizer.encode(prompt(List.of(), questions.get(q).question()));
            for (Gold gold : goldVariants(questions.get(q))) {
                requests.add(new ScoringRequest(concat(prompts[q], gold.tokens()), prompts[q].length)
                        .endingAlsoWith(otherStops()));
                counting.add(gold.counts());
                slots.add(q);
            }
        }
        List<TargetScore> scores = scoreGrouped(requests, Collections.nCopies(requests.size(), ""));
        boolean[] correct = new boolean[questions.size()];
        for (int i = 0; i < scores.size(); i++) {
            correct[slots.get(i)] |= counting.get(i) && scores.get(i).greedyMatches();
        }
        int[][] beyond = greedyBeyondVariants(prompts, q -> questions.get(q).answers(), scores, slots, counting,
                correct);
        for (int q = 0; q < beyond.length; q++) {
            correct[q] |= beyond[q] != null;
        }
        return correct;
    }

    /**
     * What a curator sees of each question: the greedy answer under its first prompt set (one decode
     * each, all in one batch, through the KV cache where the scorer has one), the probability (T=1) of
     * that answer and its stop token, and the hint {@link EvidenceHints} draws from them. Questions
     * must fit the model.
     */
    public List<Evidence> evidence(List<SlickQuestion> questions) throws OrtException {
        List<DecodeGroup> groups = new ArrayList<>(questions.size());
        List<ConfidentGreedy> choosers = new ArrayList<>(questions.size());
        for (SlickQuestion q : questions) {
            ConfidentGreedy chooser = new ConfidentGreedy();
            choosers.add(chooser);
            groups.add(new DecodeGroup(tokenizer.encode(prompt(promptSets(q).get(0), q.question())), List.of(chooser)));
        }
        List<List<Decoded>> decoded = groups.isEmpty() ? List.of() : greedyDecoder.decode(groups, stops, MAX_ANSWER_TOKENS);
        List<Evidence> evidence = new ArrayList<>(questions.size());
        for (int i = 0; i < questions.size(); i++) {
            Decoded d = decoded.get(i).get(0);
            String answer = d.answered() ? tokenizer.decode(d.tokens()) : null;
            double p = choosers.get(i).probability();
            evidence.add(Evidence.of(answer, p, EvidenceHints.hint(answer, p, questions.get(i).answers())));
        }
        return evidence;
    }

    /** Greedy decoding, recomputing the prompt at every step: the plain way, to check the exact verdict. */
    public String greedyAnswer(List<Exemplar> exemplars, String question, int maxTokens) throws OrtException {
        int[] answer = greedyTokens(exemplars, question, maxTokens);
        return answer == null ? null : tokenizer.decode(answer);
    }

    /**
     * The tokens of the greedy answer, terminator excluded; null when no terminator follows at most
     * {@code maxTokens} answer tokens (as a {@link TokenDecoder} with {@code maxNewTokens}). With a BPE tokenizer they need not be the answer text's own tokenization.
     */
    public int[] greedyTokens(List<Exemplar> exemplars, String question, int maxTokens) throws OrtException {
        int[] tokens = tokenizer.encode(prompt(exemplars, question));
        List<Integer> answer = new ArrayList<>();
        for (int step = 0; step <= maxTokens; step++) {
            int[] current = tokens;
            int next = model.forward(List.of(current), padId,
                    logits -> TargetScorer.argmax(logits.row(0, current.length - 1, new float[logits.vocab()])));
            if (stops.contains(next)) {
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
