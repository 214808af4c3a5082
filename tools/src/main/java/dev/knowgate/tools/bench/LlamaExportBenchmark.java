package dev.knowgate.tools.bench;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ExportConfig;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SampledSlick;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Llama-architecture export at a real small model's shape (SmolLM2-135M: 30 layers, hidden 576,
 * 9 heads, 3 key/value heads, MLP 1536, vocabulary 49,152), random weights, written in optimum's
 * layout with model.onnx_data, served as an {@code hf-causal-lm} version with Mistral 7B's
 * tokenizer and a newline terminator, and categorizing pool facts with both SliCK modes: write
 * and load time, memory, examples/s (not a test; run through {@code bin/bench-llama}). Random
 * weights say nothing about categories; they measure the path and its cost.
 */
public final class LlamaExportBenchmark {

    private static final Path TOKENIZER = Path.of("models", "tokenizers", "mistral-7b-v0.1", ModelTokenizer.TOKENIZER_FILE);
    private static final String TEMPLATE = "Q: {question} A:";
    private static final String NEWLINE = "\n";
    private static final SlickConfig CONFIG = SlickConfig.paper();

    public static void main(String[] args) throws Exception {
        int examples = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        LlamaOnnxWriter.Precision precision = args.length > 1
                ? LlamaOnnxWriter.Precision.valueOf(args[1].toUpperCase(Locale.ROOT)) : LlamaOnnxWriter.Precision.FP16;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        LlamaConfig shape = LlamaConfig.smolLm2Shape();
        System.out.printf(Locale.ROOT, "shape SmolLM2-135M (%d layers, hidden %d, %d heads, %d key/value heads, MLP %d,"
                        + " vocab %d, %,d parameters), %s weights in %s, %d cores, %s%n%n", shape.layers(),
                shape.hiddenSize(), shape.heads(), shape.kvHeads(), shape.intermediateSize(), shape.vocabSize(),
                shape.parameterCount(), precision, LlamaOnnxWriter.DATA_FILE,
                Runtime.getRuntime().availableProcessors(), CONFIG);

        Path dir = Files.createTempDirectory("knowgate-bench-llama");
        try {
            long t0 = System.nanoTime();
            LlamaWeights weights = LlamaWeights.random(shape, 42L, 0.02, 0);
            double generated = seconds(t0);
            t0 = System.nanoTime();
            LlamaOnnxWriter.write(weights, new LlamaOnnxWriter.Options(true, precision), dir);
            double written = seconds(t0);
            weights = null; // the export is what is measured from here on
            Files.copy(TOKENIZER, dir.resolve(ModelTokenizer.TOKENIZER_FILE));
            ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "bench-smollm2-shape", 1, null,
                    ExportConfig.ARCHITECTURE, files, TEMPLATE, NEWLINE, Instant.now(), null, null));
            ModelFolder folder = ModelFolder.open(dir);
            System.gc();
            long rssBefore = rssMiB("VmRSS:");

            System.out.println("| step | seconds | resident MiB after |");
            System.out.println("|---|---|---|");
            System.out.printf(Locale.ROOT, "| random weights (Java) | %.1f | |%n", generated);
            System.out.printf(Locale.ROOT, "| write model.onnx (%d KiB) + model.onnx_data (%d MiB) | %.1f | %d |%n",
                    Files.size(dir.resolve(LlamaOnnxWriter.MODEL_FILE)) / 1024,
                    Files.size(dir.resolve(LlamaOnnxWriter.DATA_FILE)) >> 20, written, rssBefore);
            t0 = System.nanoTime();
            try (ModelTokenizer tokenizer = ModelTokenizer.load(folder);
                 OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
                System.out.printf(Locale.ROOT, "| open the whole-sequence session (OnnxCausalLm) | %.1f | %d |%n",
                        seconds(t0), rssMiB("VmRSS:"));
                t0 = System.nanoTime();
                VocabularyCheck.check(folder.manifest(), folder.file(ModelTokenizer.TOKENIZER_FILE), tokenizer, model);
                System.out.printf(Locale.ROOT, "| vocabulary check (one pass) | %.1f | %d |%n", seconds(t0), rssMiB("VmRSS:"));
                t0 = System.nanoTime();
                try (PrefixScorer prefix = PrefixScorer.forFolder(folder, RuntimeOptions.cpu(), 0, model)) {
                    System.out.printf(Locale.ROOT, "| KV-cache scorer (PrefixScorer, on the same session) | %.1f | %d |%n",
                            seconds(t0), rssMiB("VmRSS:"));
                    t0 = System.nanoTime();
                    try (TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), model, 0)) {
                        System.out.printf(Locale.ROOT, "| KV-cache decoder (on the same session) | %.1f | %d |%n%n",
                                seconds(t0), rssMiB("VmRSS:"));
                        categorize(folder, tokenizer, model, prefix, decoder, examples, batch);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%npeak resident %d MiB%n", rssMiB("VmHWM:"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void categorize(ModelFolder folder, ModelTokenizer tokenizer, OnnxCausalLm model, PrefixScorer prefix,
                                   TokenDecoder decoder, int examples, int batch) throws Exception {
        FactWorld world = FactWorld.generate(WorldConfig.preset("standard", 42L));
        ExemplarPool pool = new ExemplarPool(world.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList());
        String key = folder.manifest().key();
        ExactSlick exact = new ExactSlick(model, tokenizer, 0, key, TEMPLATE, NEWLINE, pool, CONFIG).scoredBy(prefix);
        SampledSlick sampled = new SampledSlick(decoder, tokenizer, key, TEMPLATE, NEWLINE, pool, CONFIG,
                new SampledOptions(SampledOptions.defaults().maxAnswerTokens(),
                        batch * CONFIG.prompts() * (1 + CONFIG.samplesPerPrompt())));
        List<Fact> facts = world.finetunePool();
        List<SlickQuestion> questions = new ArrayList<>();
        for (int i = 0; i <= examples; i++) { // one more: the warm-up
            Fact f = facts.get((int) ((long) i * facts.size() / (examples + 1)));
            questions.add(new SlickQuestion(f.toExample().id(), f.relation().name(), f.question(), f.answer(), List.of()));
        }
        exact.categorize(questions.subList(0, 1));
        sampled.categorize(questions.subList(0, 1));
        List<SlickQuestion> timed = questions.subList(1, questions.size());

        System.out.printf(Locale.ROOT, "### %d pool facts, %d per call%n%n", timed.size(), batch);
        System.out.println("| mode | examples/s | s per example | categories | resident MiB after |");
        System.out.println("|---|---|---|---|---|");
        long t0 = System.nanoTime();
        List<SlickResult> byExact = inCalls(exact::categorize, timed, batch);
        double exactSeconds = seconds(t0);
        System.out.printf(Locale.ROOT, "| exact (teacher forcing through the KV-cache scorer) | %.3f | %.1f | %s | %d |%n",
                timed.size() / exactSeconds, exactSeconds / timed.size(), counts(byExact), rssMiB("VmRSS:"));
        t0 = System.nanoTime();
        List<SlickResult> bySampling = inCalls(sampled::categorize, timed, batch);
        double sampledSeconds = seconds(t0);
        System.out.printf(Locale.ROOT, "| sampled (KV-cache decoding, the paper's protocol) | %.3f | %.1f | %s | %d |%n",
                timed.size() / sampledSeconds, sampledSeconds / timed.size(), counts(bySampling), rssMiB("VmRSS:"));
        System.out.println();
        PrefixScorer.Work work = prefix.work();
        ExactSlick.GreedyWork greedy = exact.greedyWork();
        System.out.printf(Locale.ROOT, "exact mode, warm-up included: %d passes, %,d positions computed (%,d tokens, the"
                        + " rest padding), %.1f s in the model; %d of %d prompts decoded greedily (%d counted, %d whole"
                        + " for a float16 near-tie)%n%n",
                work.passes(), work.positions(), work.tokens(), work.modelNanos() / 1e9, greedy.decoded(),
                greedy.prompts(), greedy.resegmented() + greedy.normalised(), greedy.nearTies());
        System.out.printf(Locale.ROOT, "exact_over_sampled=%.2f examples=%d%n", sampledSeconds / exactSeconds, timed.size());
    }

    @FunctionalInterface
    private interface Categorizer {
        List<SlickResult> categorize(List<SlickQuestion> questions) throws Exception;
    }

    private static List<SlickResult> inCalls(Categorizer mode, List<SlickQuestion> questions, int batch) throws Exception {
        List<SlickResult> results = new ArrayList<>();
        for (int from = 0; from < questions.size(); from += batch) {
            results.addAll(mode.categorize(questions.subList(from, Math.min(questions.size(), from + batch))));
        }
        return results;
    }

    private static String counts(List<SlickResult> results) {
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        results.forEach(r -> counts.merge(r.category(), 1, Integer::sum));
        StringBuilder s = new StringBuilder();
        counts.forEach((c, n) -> s.append(s.isEmpty() ? "" : ", ").append(c.wireName()).append(' ').append(n));
        return s.toString();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static long rssMiB(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }
}
