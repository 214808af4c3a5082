package dev.knowgate.tools.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.onnx.MatMulGraph;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.Accelerator;
import dev.knowgate.model.runtime.KvCacheDecoder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RecomputingDecoder;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.StopTokens;
import dev.knowgate.model.runtime.SessionLoader;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.NaiveSampledSlick;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SampledSlick;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldTokenizer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * SliCK's two modes measured against each other (not a test; run through {@code bin/bench-slick}):
 *
 * <ul>
 *   <li>{@code speed MODEL_DIR|random [NAIVE=3] [EXAMPLES=48] [BATCHES=1,2,4,8]}: examples/s of the
 *       naive sampled baseline (every decode alone, prompt recomputed each step), of sampled SliCK
 *       batched with the KV cache (and batched by recomputation, to isolate the cache), and of exact
 *       SliCK, by batch size (examples per call); speed ratios; category agreement with the baseline.</li>
 *   <li>{@code confusion MODEL_DIR [FACTS=1000]}: exact vs sampled categories of the world's pool
 *       facts as a 4 x 4 markdown table, with agreement and Cohen's kappa.</li>
 *   <li>{@code speedup MODEL_DIR [FACTS=1000] [BATCH=32] [ROUNDS=2]}: exact SliCK as it was (every
 *       sequence whole through the plain export) against teacher forcing on shared prefixes through
 *       the KV-cache export, with prompt sets per example and per relation, on the same facts in
 *       the same run; verdicts compared where the prompts are identical, and the per-relation
 *       protocol's category agreement with per-example draws and with sampled mode.</li>
 *   <li>{@code gemm MODEL_DIR [FACTS=500] [BATCH=32]}: exact mode's achieved FLOP/s (from the
 *       model's shape and the tokens it computed), by passes at once and intra-op threads, against
 *       ONNX Runtime's own MatMul FLOP/s at the model's weight shapes, measured in the same run; then
 *       ONNX Runtime's own profile of the default mode, kernel time per operator type.</li>
 * </ul>
 *
 * The world is the standard one with seed 42, exemplars from its dev split (as bin/knowledge-report);
 * questions are pool facts whose prompts fit the model. "random" builds a model of the base model's
 * shape with random weights (both ONNX variants): right for speed only.
 */
public final class SlickBenchmark {

    private static final SlickConfig CONFIG = SlickConfig.paper();
    private static final int DECODES_PER_EXAMPLE = CONFIG.prompts() * (1 + CONFIG.samplesPerPrompt());
    private static final int MAX_ANSWER_TOKENS = 16;
    /** Facts the naive baseline runs in {@code speedup} (at about 1 example/s). */
    private static final int NAIVE_IN_SPEEDUP = 12;

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !List.of("speed", "confusion", "speedup", "gemm").contains(args[0])) {
            System.err.println("usage: SlickBenchmark speed MODEL_DIR|random [NAIVE=3] [EXAMPLES=48] [BATCHES=1,2,4,8]");
            System.err.println("       SlickBenchmark confusion MODEL_DIR [FACTS=1000]");
            System.err.println("       SlickBenchmark speedup MODEL_DIR [FACTS=1000] [BATCH=32] [ROUNDS=2]");
            System.err.println("       SlickBenchmark gemm MODEL_DIR [FACTS=500] [BATCH=32]");
            System.exit(2);
        }
        FactWorld world = FactWorld.generate(WorldConfig.preset("standard", 42L));
        Path dir = args[1].equals("random") ? randomBaseShapedModel(world) : Path.of(args[1]);
        ModelFolder folder = withKvVariant(ModelFolder.open(dir));
        try (Setup setup = Setup.open(folder, world)) {
            System.out.printf(Locale.ROOT, "model %s (%d positions, KV-cache export: %s), %d cores, world standard/42, %s,"
                            + " max %d answer tokens%n%n", folder.manifest().key(), setup.model.maxPositions(),
                    KvCacheDecoder.available(folder) ? "yes" : "no", Runtime.getRuntime().availableProcessors(), CONFIG,
                    MAX_ANSWER_TOKENS);
            if (args[0].equals("speed")) {
                int naive = args.length > 2 ? Integer.parseInt(args[2]) : 3;
                int examples = args.length > 3 ? Integer.parseInt(args[3]) : 48;
                int[] batches = args.length > 4 ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray()
                        : new int[]{1, 2, 4, 8};
                speed(setup, world, naive, examples, batches);
            } else if (args[0].equals("gemm")) {
                gemm(setup, world, args.length > 2 ? Integer.parseInt(args[2]) : 500,
                        args.length > 3 ? Integer.parseInt(args[3]) : 32);
            } else if (args[0].equals("speedup")) {
                speedup(setup, world, args.length > 2 ? Integer.parseInt(args[2]) : 1000,
                        args.length > 3 ? Integer.parseInt(args[3]) : 32, args.length > 4 ? Integer.parseInt(args[4]) : 2);
            } else {
                confusion(setup, world, args.length > 2 ? Integer.parseInt(args[2]) : 1000);
            }
        }
    }

    /** What both modes need, opened once. */
    private record Setup(ModelFolder folder, OnnxCausalLm model, ModelTokenizer tokenizer, TokenDecoder decoder,
                         ExemplarPool pool, int[] eos) implements AutoCloseable {

        static Setup open(ModelFolder folder, FactWorld world) throws Exception {
            List<Exemplar> exemplars = new ArrayList<>();
            for (Fact f : world.dev()) {
                exemplars.add(new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer()));
            }
            OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
            ModelTokenizer tokenizer = ModelTokenizer.load(folder);
            TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), model, 0);
            // The EOS ids the services stop at too (generation_config.json).
            return new Setup(folder, model, tokenizer, decoder, new ExemplarPool(exemplars),
                    StopTokens.eosIds(folder, model.vocabSize()));
        }

        ExactSlick exact() {
            return new ExactSlick(model, tokenizer, 0, key(), template(), terminator(), pool, CONFIG).stoppingAlsoAt(eos);
        }

        SampledSlick sampled(TokenDecoder with, int examplesPerCall) {
            return new SampledSlick(with, tokenizer, key(), template(), terminator(), pool, CONFIG,
                    new SampledOptions(MAX_ANSWER_TOKENS, examplesPerCall * DECODES_PER_EXAMPLE)).stoppingAlsoAt(eos);
        }

        SampledSlick naive() {
            return NaiveSampledSlick.create(model, tokenizer, 0, key(), template(), terminator(), pool, CONFIG,
                    new SampledOptions(MAX_ANSWER_TOKENS, 1)).stoppingAlsoAt(eos);
        }

        private String key() {
            return folder.manifest().key();
        }

        private String template() {
            return folder.manifest().promptTemplate();
        }

        private String terminator() {
            return folder.manifest().answerTerminator();
        }

        @Override
        public void close() throws Exception {
            decoder.close();
            model.close();
            tokenizer.close();
        }
    }

    /**
     * {@code n} pool facts spread evenly over the pool (it is in fact order, relation by relation),
     * skipping those whose prompts with the gold answer do not fit the model.
     */
    private static List<SlickQuestion> questions(Setup setup, FactWorld world, int n) {
        ExactSlick exact = setup.exact();
        List<Fact> pool = world.finetunePool();
        int wanted = Math.min(n, pool.size());
        List<SlickQuestion> questions = new ArrayList<>();
        int skipped = 0;
        for (int i = 0; i < wanted; i++) {
            Fact f = pool.get((int) ((long) i * pool.size() / wanted));
            SlickQuestion q = new SlickQuestion(f.toExample().id(), f.relation().name(), f.question(), f.answer(), List.of());
            if (exact.fits(q)) {
                questions.add(q);
            } else {
                skipped++;
            }
        }
        System.out.printf(Locale.ROOT, "%d of the %d pool facts, evenly spread%s%n%n", questions.size(), pool.size(),
                skipped == 0 ? "" : " (" + skipped + " skipped: their prompts do not fit " + setup.model.maxPositions()
                        + " positions)");
        return questions;
    }

    @FunctionalInterface
    private interface Categorizer {
        List<SlickResult> categorize(List<SlickQuestion> questions) throws Exception;
    }

    /** Results of all questions in calls of {@code batch}, and the seconds it took. */
    private record Timed(List<SlickResult> results, double seconds) {
        double perSecond() {
            return results.size() / seconds;
        }
    }

    private static Timed run(Categorizer mode, List<SlickQuestion> questions, int batch) throws Exception {
        List<SlickResult> results = new ArrayList<>(questions.size());
        long start = System.nanoTime();
        for (int from = 0; from < questions.size(); from += batch) {
            results.addAll(mode.categorize(questions.subList(from, Math.min(questions.size(), from + batch))));
        }
        return new Timed(results, (System.nanoTime() - start) / 1e9);
    }

    private static void speed(Setup setup, FactWorld world, int naiveCount, int examples, int[] batches) throws Exception {
        List<SlickQuestion> questions = questions(setup, world, Math.max(naiveCount, examples));
        List<SlickQuestion> few = new ArrayList<>(); // spread over the pool too
        for (int i = 0; i < naiveCount; i++) {
            few.add(questions.get((int) ((long) i * questions.size() / naiveCount)));
        }
        List<SlickQuestion> many = questions.subList(0, examples);
        ExactSlick exact = setup.exact();
        RecomputingDecoder recomputing = new RecomputingDecoder(setup.model, 0);

        // Warm-up: every path once, at the call width it is then timed at. A first call at a new width
        // costs ONNX Runtime far more than the ones after it, and the table below times a single call.
        int widest = Arrays.stream(batches).max().orElse(1);
        setup.naive().categorize(few.subList(0, 1));
        setup.sampled(setup.decoder, 1).categorize(few.subList(0, 1));
        setup.sampled(recomputing, widest).categorize(few);
        setup.sampled(setup.decoder, widest).categorize(few);
        exact.categorize(few.subList(0, 1));
        exact.categorize(few);

        Timed naive = run(setup.naive()::categorize, few, 1);
        Timed recomputed = run(setup.sampled(recomputing, widest)::categorize, few, widest);
        Timed sampledFew = run(setup.sampled(setup.decoder, widest)::categorize, few, widest);
        Timed exactFew = run(exact::categorize, few, widest);

        System.out.printf(Locale.ROOT, "### Against the naive baseline (%d examples, %d decodes each)%n%n", few.size(),
                DECODES_PER_EXAMPLE);
        System.out.println("| mode | examples/s | s per example | speed-up vs naive | categories equal to naive | results identical |");
        System.out.println("|---|---|---|---|---|---|");
        row("sampled, naive (each decode alone, prompt recomputed every step)", naive, naive);
        row("sampled, batched, recomputed (no KV cache), " + widest + " examples/call", recomputed, naive);
        row("sampled, batched, " + decoderName(setup.decoder) + ", " + widest + " examples/call", sampledFew, naive);
        row("exact (teacher forcing; P_sampled exact, not counted), " + widest + " examples/call", exactFew, naive);
        System.out.println();

        System.out.printf(Locale.ROOT, "### By batch size (%d examples)%n%n", many.size());
        System.out.println("| examples per call | sampled (" + decoderName(setup.decoder) + ") examples/s | exact examples/s"
                + " | exact / sampled | sampled / naive | exact / naive | category agreement exact vs sampled | peak RSS MiB |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int batch : batches) {
            Timed sampled = run(setup.sampled(setup.decoder, batch)::categorize, many, batch);
            Timed teacher = run(exact::categorize, many, batch);
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.1fx | %.0fx | %.0fx | %d / %d | %d |%n", batch,
                    sampled.perSecond(), teacher.perSecond(), teacher.perSecond() / sampled.perSecond(),
                    sampled.perSecond() / naive.perSecond(), teacher.perSecond() / naive.perSecond(),
                    agreeing(sampled.results, teacher.results), many.size(), peakRssMiB());
        }
        System.out.println();
    }

    /**
     * The four ways of running exact SliCK on the same facts, each timed {@code rounds} times in
     * turn (the fastest counts: the machine is shared), then sampled mode once for agreement.
     */
    private static void speedup(Setup setup, FactWorld world, int facts, int batch, int rounds) throws Exception {
        List<SlickQuestion> questions = questions(setup, world, facts);
        try (PrefixScorer prefixes = PrefixScorer.load(setup.folder, RuntimeOptions.cpu(), 0)) {
            ExactSlick today = setup.exact();
            ExactSlick perRelation = today.sharing(PromptSharing.PER_RELATION);
            List<String> names = List.of(
                    "per-example prompt sets, whole sequences through model.onnx (exact mode until now)",
                    "per-example prompt sets, shared prefixes on a KV cache, head on the read rows only (PrefixScorer)",
                    "per-relation prompt sets, whole sequences through model.onnx",
                    "per-relation prompt sets, shared prefixes on a KV cache, head on the read rows only (exemplars once per relation and set)");
            List<ExactSlick> modes = List.of(today, today.scoredBy(prefixes), perRelation, perRelation.scoredBy(prefixes));
            for (ExactSlick mode : modes) { // warm-up at the call width timed below
                mode.categorize(questions.subList(0, Math.min(batch, questions.size())));
            }
            Timed[] best = new Timed[modes.size()];
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < modes.size(); m++) {
                    Timed t = run(modes.get(m)::categorize, questions, batch);
                    if (best[m] == null || t.seconds < best[m].seconds) {
                        best[m] = t;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "### Exact SliCK, %d facts in calls of %d, fastest of %d rounds%n%n",
                    questions.size(), batch, rounds);
            System.out.println("| exact mode | examples/s | speed-up vs exact mode until now | verdicts identical to the same"
                    + " prompts whole | largest P_sampled difference |");
            System.out.println("|---|---|---|---|---|");
            for (int m = 0; m < modes.size(); m++) {
                Timed same = best[m < 2 ? 0 : 2]; // the same prompt sets, whole sequences
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2fx | %s | %s |%n", names.get(m), best[m].perSecond(),
                        best[m].perSecond() / best[0].perSecond(),
                        m % 2 == 0 ? "(reference)" : identical(best[m].results, same.results) + " / " + questions.size(),
                        m % 2 == 0 ? "" : String.format(Locale.ROOT, "%.1e", largestSampledDifference(best[m].results,
                                same.results)));
            }
            System.out.println();
            // Sampled mode: decoding through model-kv.onnx as until now, and through the selected-rows
            // head (only each prompt's last position and each step's row), against the naive baseline.
            Timed sampled;
            Timed sampledBefore;
            try (KvCacheDecoder export = KvCacheDecoder.loadKvExport(setup.folder, RuntimeOptions.cpu(), 0)) {
                setup.sampled(export, 4).categorize(questions.subList(0, 4));
                setup.sampled(setup.decoder, 4).categorize(questions.subList(0, 4));
                sampledBefore = run(setup.sampled(export, 4)::categorize, questions, 4);
                sampled = run(setup.sampled(setup.decoder, 4)::categorize, questions, 4);
            }
            List<SlickQuestion> few = new ArrayList<>();
            for (int i = 0; i < NAIVE_IN_SPEEDUP; i++) {
                few.add(questions.get((int) ((long) i * questions.size() / NAIVE_IN_SPEEDUP)));
            }
            Timed naive = run(setup.naive()::categorize, few, 1);
            System.out.printf(Locale.ROOT, "### Sampled mode, the same %d facts, 4 examples per call (naive: %d of them)%n%n",
                    questions.size(), few.size());
            System.out.println("| sampled mode | examples/s | vs naive | vs until now | results identical to until now |"
                    + " exact mode (shared prefixes, per example) / sampled |");
            System.out.println("|---|---|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| naive (each decode alone, prompt recomputed every step) | %.2f | 1.0x | | | |%n",
                    naive.perSecond());
            System.out.printf(Locale.ROOT, "| KV cache through model-kv.onnx (until now) | %.2f | %.1fx | 1.00x | (reference) | %.2fx |%n",
                    sampledBefore.perSecond(), sampledBefore.perSecond() / naive.perSecond(),
                    best[1].perSecond() / sampledBefore.perSecond());
            System.out.printf(Locale.ROOT, "| KV cache, head only on the rows read | %.2f | %.1fx | %.2fx | %s | %.2fx |%n%n",
                    sampled.perSecond(), sampled.perSecond() / naive.perSecond(),
                    sampled.perSecond() / sampledBefore.perSecond(),
                    sampled.results.equals(sampledBefore.results) ? "yes, " + questions.size() + " / " + questions.size()
                            : "no: " + agreeing(sampled.results, sampledBefore.results) + " categories equal",
                    best[1].perSecond() / sampled.perSecond());
            // How much the categories depend on which prompt sets were drawn at all: the same
            // per-example protocol under another seed (the sets are drawn from the id and this key).
            ExactSlick redrawn = new ExactSlick(setup.model, setup.tokenizer, 0, setup.key() + "/redraw",
                    setup.template(), setup.terminator(), setup.pool, CONFIG).stoppingAlsoAt(setup.eos).scoredBy(prefixes);
            Timed other = run(redrawn::categorize, questions, batch);
            System.out.printf(Locale.ROOT, "- category agreement, per-relation vs per-example prompt sets: %d / %d%n",
                    agreeing(best[3].results, best[0].results), questions.size());
            System.out.printf(Locale.ROOT, "- category agreement, per-example sets vs per-example sets drawn under"
                    + " another seed: %d / %d%n", agreeing(other.results, best[0].results), questions.size());
            System.out.printf(Locale.ROOT, "- category agreement with sampled mode (the paper's protocol, per-example"
                            + " sets): per-example exact %d / %d, per-relation exact %d / %d%n",
                    agreeing(best[0].results, sampled.results), questions.size(),
                    agreeing(best[3].results, sampled.results), questions.size());
            System.out.printf(Locale.ROOT, "- category counts (HK/MK/WK/UK): per-example %s, per-relation %s, sampled %s%n",
                    counts(best[0].results), counts(best[3].results), counts(sampled.results));
            System.out.println();
            System.out.printf(Locale.ROOT, "per_example_speedup=%.3f identical=%d/%d%n",
                    best[1].perSecond() / best[0].perSecond(), identical(best[1].results, best[0].results),
                    questions.size());
            System.out.printf(Locale.ROOT, "exact_speedup=%.3f identical=%d/%d%n", best[3].perSecond() / best[0].perSecond(),
                    identical(best[3].results, best[2].results), questions.size());
        }
    }

    /**
     * Exact mode on shared prefixes (per example, the service's default, and per relation), one pass
     * at a time and with the default scoring threads (per example also with ONNX Runtime's intra-op
     * threads set to the cores): useful FLOPs from the model's shape and the work the scorer did (real
     * tokens, attention pairs, head rows read), per second of categorizing; against ONNX Runtime's
     * MatMul FLOP/s at the model's weight shapes and the scorer's mean rows per pass, weighted by the
     * FLOPs each shape does.
     */
    private static void gemm(Setup setup, FactWorld world, int facts, int batch) throws Exception {
        GptConfig c = GptOnnxReader.readWeights(setup.folder.file(OnnxCausalLm.MODEL_FILE)).config();
        List<SlickQuestion> questions = questions(setup, world, facts);
        int d = c.dModel();
        // Weight matrices per layer (k x n): attention in, attention out, MLP in, MLP out; then the head.
        int[][] body = {{d, 3 * d}, {d, d}, {d, c.dFf()}, {c.dFf(), d}};
        System.out.printf(Locale.ROOT, "### Exact mode against ONNX Runtime's MatMul, %d facts in calls of %d%n%n",
                questions.size(), batch);
        System.out.println("| exact mode | passes at once | intra-op threads | examples/s | GFLOP/s achieved"
                + " | MatMul GFLOP/s at its shapes | share | time in ONNX Runtime (summed over passes) | in cache copies"
                + " | MatMul time at reference speed | mean rows per pass | head rows computed / read"
                + " | real tokens / positions computed |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        double share = 0;
        Map<List<Integer>, double[]> references = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        // {passes at once (0: the default), intra-op threads (0: ONNX Runtime's default)}; the default last but one.
        int[][] perRelation = {{1, 0}, {0, 0}};
        int[][] perExample = {{1, 0}, {1, cores}, {PrefixScorer.AUTO_THREADS, 1}, {0, 0},
                {PrefixScorer.AUTO_THREADS, cores}};
        for (PromptSharing sharing : List.of(PromptSharing.PER_RELATION, PromptSharing.PER_EXAMPLE)) {
            for (int[] threads : sharing == PromptSharing.PER_RELATION ? perRelation : perExample) {
                RuntimeOptions options = new RuntimeOptions(Accelerator.CPU, 0, threads[1]).withScoringThreads(threads[0]);
                try (PrefixScorer scorer = PrefixScorer.load(setup.folder, options, 0)) {
                    ExactSlick exact = setup.exact().sharing(sharing).scoredBy(scorer);
                    exact.categorize(questions.subList(0, Math.min(batch, questions.size()))); // warm-up
                    PrefixScorer.Work before = scorer.work();
                    Timed timed = run(exact::categorize, questions, batch);
                    PrefixScorer.Work w = scorer.work().minus(before);
                    double bodyFlops = 0;
                    for (int[] m : body) {
                        bodyFlops += 2.0 * m[0] * m[1];
                    }
                    double tokenFlops = c.nLayers() * bodyFlops * w.tokens();
                    double attentionFlops = c.nLayers() * 4.0 * d * w.attended();
                    double headFlops = 2.0 * d * c.vocabSize() * w.targets();
                    double achieved = (tokenFlops + attentionFlops + headFlops) / timed.seconds;
                    // ONNX Runtime's own speed at the same shapes: the time its MatMul alone would need.
                    int rows = (int) Math.max(1, w.positions() / w.passes());
                    int headRows = (int) Math.max(1, 2 * w.headRows() / w.passes()); // every other pass runs the head
                    double referenceSeconds = 0;
                    for (int[] m : body) {
                        referenceSeconds += c.nLayers() * 2.0 * m[0] * m[1] * w.tokens()
                                / best(references.computeIfAbsent(List.of(rows, m[0], m[1]), SlickBenchmark::matMulFlops));
                    }
                    referenceSeconds += headFlops
                            / best(references.computeIfAbsent(List.of(headRows, d, c.vocabSize()), SlickBenchmark::matMulFlops));
                    double reference = (tokenFlops + headFlops) / referenceSeconds;
                    if (sharing == PromptSharing.PER_EXAMPLE && threads[0] == 0 && threads[1] == 0) {
                        share = achieved / reference;
                    }
                    // Where the time goes, as shares of the whole categorization.
                    System.out.printf(Locale.ROOT, "| %s | %d%s | %s | %.1f | %.2f | %.2f | %.2f | %.0f%% | %.0f%% | %.0f%%"
                                    + " | %d (head %d) | %d / %d | %d / %d |%n",
                            sharing == PromptSharing.PER_EXAMPLE ? "per-example sets (default)" : "per-relation sets",
                            scorer.threads(), threads[0] == 0 ? " (default)" : "",
                            threads[1] == 0 ? "ONNX Runtime's default" : String.valueOf(threads[1]), timed.perSecond(), achieved / 1e9, reference / 1e9, achieved / reference,
                            100 * w.modelNanos() / 1e9 / timed.seconds, 100 * w.copyNanos() / 1e9 / timed.seconds,
                            100 * referenceSeconds / timed.seconds, rows, headRows, w.headRows(), w.targets(),
                            w.tokens(), w.positions());
                }
            }
        }
        System.out.println();
        System.out.println("MatMul reference, GFLOP/s: one call at a time on ONNX Runtime's default threads, "
                + PrefixScorer.AUTO_THREADS + " calls at once on one session (the faster counts):");
        references.forEach((shape, flops) -> System.out.printf(Locale.ROOT, "- [%d x %d] x [%d x %d]: %.2f, %.2f%n",
                shape.get(0), shape.get(1), shape.get(1), shape.get(2), flops[0] / 1e9, flops[1] / 1e9));
        System.out.println();
        profile(setup, questions.subList(0, Math.min(100, questions.size())), batch);
        System.out.printf(Locale.ROOT, "gemm_share=%.3f%n", share);
    }

    /**
     * Where exact mode's passes spend their time, per operator: the default (per-example sets) on a
     * few facts once more, with ONNX Runtime's profiler on (apart from the timed runs: it slows them).
     */
    private static void profile(Setup setup, List<SlickQuestion> questions, int batch) throws Exception {
        Path dir = Files.createTempDirectory("knowgate-ort-profile");
        Path prefix = dir.resolve("exact");
        long start;
        double seconds;
        try (PrefixScorer scorer = PrefixScorer.load(setup.folder, RuntimeOptions.cpu().profiledTo(prefix), 0)) {
            ExactSlick exact = setup.exact().sharing(PromptSharing.PER_EXAMPLE).scoredBy(scorer);
            start = System.nanoTime();
            run(exact::categorize, questions, batch);
            seconds = (System.nanoTime() - start) / 1e9;
        }
        OperatorProfile p = OperatorProfile.newest(prefix);
        System.out.printf(Locale.ROOT, "### Where the time goes: ONNX Runtime's profile, per-example sets, %d facts%n%n",
                questions.size());
        System.out.printf(Locale.ROOT, "%d passes: %.2f s categorizing (profiler on), %.2f s in ONNX Runtime's runs, "
                        + "%.2f s in its kernels.%n%n", p.runs(), seconds, p.runMicros() / 1e6, p.kernelTotal() / 1e6);
        System.out.println("| operator | kernel ms | share of kernel time |");
        System.out.println("|---|---|---|");
        p.rows().forEach(System.out::println);
        System.out.println();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    /**
     * FLOP/s of ONNX Runtime's MatMul [rows, k] x [k, n] on this machine, CPU, default threads: one
     * call at a time, and {@link PrefixScorer#AUTO_THREADS} calls at once on one session (as exact
     * mode's scoring threads run their passes); the reference is the faster of the two.
     */
    private static double best(double[] flops) {
        return Arrays.stream(flops).max().orElseThrow();
    }

    private static double[] matMulFlops(List<Integer> shape) {
        int rows = shape.get(0);
        int k = shape.get(1);
        int n = shape.get(2);
        byte[] model = MatMulGraph.toBytes(k, n, 42L);
        try (OrtSession session = SessionLoader.openBytes(model, "matmul", RuntimeOptions.cpu(),
                (env, opened, provider) -> opened)) {
            FloatBuffer x = ByteBuffer.allocateDirect(rows * k * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < rows * k; i++) {
                x.put(i, (float) Math.sin(i));
            }
            OrtEnvironment env = SessionLoader.environment();
            try (OnnxTensor input = OnnxTensor.createTensor(env, x, new long[]{rows, k})) {
                for (int i = 0; i < 5; i++) {
                    session.run(Map.of("x", input)).close();
                }
                double[] flops = new double[2];
                for (int mode = 0; mode < 2; mode++) {
                    int callers = mode == 0 ? 1 : PrefixScorer.AUTO_THREADS;
                    AtomicLong runs = new AtomicLong();
                    long start = System.nanoTime();
                    List<Thread> threads = new ArrayList<>();
                    AtomicReference<Exception> failed = new AtomicReference<>();
                    for (int t = 0; t < callers; t++) {
                        Thread thread = new Thread(() -> {
                            try {
                                int mine = 0;
                                while (mine < 20 || System.nanoTime() - start < 300_000_000L) {
                                    session.run(Map.of("x", input)).close();
                                    mine++;
                                }
                                runs.addAndGet(mine);
                            } catch (Exception e) {
                                failed.set(e);
                            }
                        });
                        thread.start();
                        threads.add(thread);
                    }
                    for (Thread thread : threads) {
                        thread.join();
                    }
                    if (failed.get() != null) {
                        throw failed.get();
                    }
                    flops[mode] = 2.0 * rows * k * n * runs.get() / ((System.nanoTime() - start) / 1e9);
                }
                return flops;
            }
        } catch (Exception e) {
            throw new IllegalStateException("MatMul reference at " + shape + ": " + e.getMessage(), e);
        }
    }

    /** Same category and P_greedy, and P_sampled equal to float rounding (the scores come from two exports). */
    private static int identical(List<SlickResult> a, List<SlickResult> b) {
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            SlickResult x = a.get(i);
            SlickResult y = b.get(i);
            same += x.category() == y.category() && x.pGreedy() == y.pGreedy()
                    && Math.abs(x.pSampled() - y.pSampled()) <= 1e-4 ? 1 : 0;
        }
        return same;
    }

    private static double largestSampledDifference(List<SlickResult> a, List<SlickResult> b) {
        double largest = 0;
        for (int i = 0; i < a.size(); i++) {
            largest = Math.max(largest, Math.abs(a.get(i).pSampled() - b.get(i).pSampled()));
        }
        return largest;
    }

    private static String counts(List<SlickResult> results) {
        int[] n = new int[Category.values().length];
        results.forEach(r -> n[r.category().ordinal()]++);
        return Arrays.stream(n).mapToObj(String::valueOf).reduce((x, y) -> x + "/" + y).orElse("");
    }

    private static String decoderName(TokenDecoder decoder) {
        return decoder instanceof KvCacheDecoder ? "KV cache" : "recomputed (no KV file)";
    }

    private static void row(String name, Timed timed, Timed naive) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.2f | %.1fx | %d / %d | %s |%n", name, timed.perSecond(),
                timed.seconds / timed.results.size(), timed.perSecond() / naive.perSecond(),
                agreeing(timed.results, naive.results), naive.results.size(),
                timed.results.equals(naive.results) ? "yes" : "no");
        // For the exact row "identical" can only be "no": its P_sampled is a probability, not a count.
    }

    private static int agreeing(List<SlickResult> a, List<SlickResult> b) {
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            same += a.get(i).category() == b.get(i).category() ? 1 : 0;
        }
        return same;
    }

    private static void confusion(Setup setup, FactWorld world, int facts) throws Exception {
        List<SlickQuestion> questions = questions(setup, world, facts);
        ExactSlick exactSlick;
        Timed exact;
        // Shared prefixes where the version has a KV-cache export: the same verdicts (PrefixScoringTest), faster.
        try (PrefixScorer prefixes = PrefixScorer.forFolder(setup.folder, RuntimeOptions.cpu(), 0, setup.model)) {
            exactSlick = prefixes == null ? setup.exact() : setup.exact().scoredBy(prefixes);
            exact = run(exactSlick::categorize, questions, 32);
        }
        Timed sampled = run(setup.sampled(setup.decoder, 4)::categorize, questions, 4);
        Category[] categories = Category.values();
        int[][] counts = new int[categories.length][categories.length];
        int sameGreedy = 0;
        double exactSampled = 0;
        double observedSampled = 0;
        // Where both modes see P_greedy = 0, sampled mode says WeaklyKnown with probability exactly
        // pFound (the samples are independent): the expected disagreement follows from exact mode.
        double expectedUnknownToWeakly = 0;
        double expectedWeaklyToUnknown = 0;
        int unknownToWeakly = 0;
        int weaklyToUnknown = 0;
        for (int i = 0; i < questions.size(); i++) {
            SlickResult e = exact.results.get(i);
            SlickResult s = sampled.results.get(i);
            counts[e.category().ordinal()][s.category().ordinal()]++;
            sameGreedy += e.pGreedy() == s.pGreedy() ? 1 : 0;
            exactSampled += e.pSampled();
            observedSampled += s.pSampled();
            if (e.pGreedy() == 0 && s.pGreedy() == 0) {
                if (e.category() == Category.UNKNOWN) {
                    expectedUnknownToWeakly += e.pFound();
                    unknownToWeakly += s.category() == Category.WEAKLY_KNOWN ? 1 : 0;
                } else {
                    expectedWeaklyToUnknown += 1 - e.pFound();
                    weaklyToUnknown += s.category() == Category.UNKNOWN ? 1 : 0;
                }
            }
        }
        int n = questions.size();
        System.out.printf(Locale.ROOT, "### Exact (rows) vs sampled (columns), %d pool facts%n%n", n);
        StringBuilder header = new StringBuilder("| exact \\ sampled |");
        for (Category c : categories) {
            header.append(' ').append(name(c)).append(" |");
        }
        System.out.println(header.append(" total |"));
        System.out.println("|---".repeat(categories.length + 2) + "|");
        int agree = 0;
        for (Category r : categories) {
            StringBuilder line = new StringBuilder("| **" + name(r) + "** |");
            int total = 0;
            for (Category c : categories) {
                int v = counts[r.ordinal()][c.ordinal()];
                total += v;
                line.append(' ').append(r == c ? "**" + v + "**" : String.valueOf(v)).append(" |");
            }
            agree += counts[r.ordinal()][r.ordinal()];
            System.out.println(line.append(' ').append(total).append(" |"));
        }
        StringBuilder totals = new StringBuilder("| total |");
        for (Category c : categories) {
            int v = 0;
            for (Category r : categories) {
                v += counts[r.ordinal()][c.ordinal()];
            }
            totals.append(' ').append(v).append(" |");
        }
        System.out.println(totals.append(' ').append(n).append(" |"));
        System.out.println();
        System.out.printf(Locale.ROOT, "- category agreement: %d / %d (%.1f%%), Cohen's kappa %.3f%n", agree, n,
                100.0 * agree / n, kappa(counts, n));
        System.out.printf(Locale.ROOT, "- P_greedy identical in both modes: %d / %d%n", sameGreedy, n);
        System.out.printf(Locale.ROOT, "- mean P_sampled: exact %.4f, sampled %.4f%n", exactSampled / n, observedSampled / n);
        System.out.printf(Locale.ROOT, "- exact Unknown (pFound < %.2f), sampled WeaklyKnown: %d observed, %.1f expected"
                + " (sum of pFound)%n", CONFIG.foundThreshold(), unknownToWeakly, expectedUnknownToWeakly);
        System.out.printf(Locale.ROOT, "- exact WeaklyKnown (pFound >= %.2f), sampled Unknown: %d observed, %.1f expected"
                + " (sum of 1 - pFound)%n", CONFIG.foundThreshold(), weaklyToUnknown, expectedWeaklyToUnknown);
        System.out.printf(Locale.ROOT, "- time: exact %.1f s (%.2f examples/s), sampled %.1f s (%.2f examples/s)%n",
                exact.seconds, exact.perSecond(), sampled.seconds, sampled.perSecond());
        ExactSlick.GreedyWork work = exactSlick.greedyWork();
        System.out.printf(Locale.ROOT, "- exact mode finished %d of %d prompts by greedy decoding (the greedy answer left"
                + " the gold tokens but might still match); the greedy answer counted there on %d prompts as a gold"
                + " text in other tokens and on %d as another text that normalises to gold%n", work.decoded(),
                work.prompts(), work.resegmented(), work.normalised());
    }

    private static String name(Category c) {
        return c.wireName();
    }

    private static double kappa(int[][] counts, int n) {
        double observed = 0;
        double expected = 0;
        for (int i = 0; i < counts.length; i++) {
            observed += counts[i][i];
            double row = 0;
            double col = 0;
            for (int j = 0; j < counts.length; j++) {
                row += counts[i][j];
                col += counts[j][i];
            }
            expected += row * col / n;
        }
        return expected == n ? 1.0 : (observed - expected) / (n - expected);
    }

    private static long peakRssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    /**
     * The folder itself when it ships {@value KvCacheDecoder#MODEL_FILE}; for one of our own models
     * that does not (versions from before the pre-training wrote it), a copy in a temporary folder
     * with the KV-cache export of the same weights added, under the same name and version, so prompts
     * and seeds stay those of the original.
     */
    private static ModelFolder withKvVariant(ModelFolder folder) throws Exception {
        if (KvCacheDecoder.available(folder) || !folder.manifest().architecture().equals(GptConfig.ARCHITECTURE)) {
            return folder;
        }
        Path copy = Files.createTempDirectory("knowgate-bench-kv");
        for (var file : folder.manifest().files()) {
            Path target = copy.resolve(file.path());
            Files.createDirectories(target.getParent());
            Files.copy(folder.file(file.path()), target);
        }
        GptOnnxWriter.write(GptOnnxReader.readWeights(folder.file(OnnxCausalLm.MODEL_FILE)), GptOnnxWriter.Variant.KV_CACHE,
                Map.of(), copy.resolve(KvCacheDecoder.MODEL_FILE));
        ModelVersion m = folder.manifest();
        ModelFolder.seal(copy, files -> new ModelVersion(m.schemaVersion(), m.name(), m.version(), m.parent(),
                m.architecture(), files, m.promptTemplate(), m.answerTerminator(), m.createdAt(), m.round(), null));
        System.out.printf(Locale.ROOT, "(%s has no %s: benchmarking a copy with one written from its weights, %s)%n",
                folder.dir(), KvCacheDecoder.MODEL_FILE, copy);
        return ModelFolder.open(copy);
    }

    /** The base model's shape (d 128, 4 layers, 4 heads, 128 positions) with random weights, both variants. */
    private static Path randomBaseShapedModel(FactWorld world) throws Exception {
        Path dir = Files.createTempDirectory("knowgate-bench-slick");
        WorldTokenizer.write(world, dir.resolve(ModelTokenizer.TOKENIZER_FILE));
        int vocab;
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir.resolve(ModelTokenizer.TOKENIZER_FILE))) {
            vocab = 1 + world.vocabulary().stream().mapToInt(tokenizer::tokenId).max().orElseThrow();
        }
        GptWeights weights = GptWeights.random(GptConfig.of(vocab, 128, 128, 4, 4, 512), 42L);
        // A likely terminator, so that answers end after a few tokens as a trained model's do.
        float[] wte = weights.get("wte").data();
        for (int j = 0; j < 128; j++) {
            wte[WorldTokenizer.EOA_ID * 128 + j] *= 40f;
        }
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.PLAIN, Map.of(), dir.resolve(OnnxCausalLm.MODEL_FILE));
        GptOnnxWriter.write(weights, GptOnnxWriter.Variant.KV_CACHE, Map.of(), dir.resolve(KvCacheDecoder.MODEL_FILE));
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "bench-random", 1, null, "knowgate-gpt",
                files, QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, Instant.now(), null, null));
        dir.toFile().deleteOnExit();
        return dir;
    }
}
