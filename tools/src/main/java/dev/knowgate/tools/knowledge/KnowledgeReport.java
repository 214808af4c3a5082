package dev.knowgate.tools.knowledge;

import dev.knowgate.contracts.Category;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a model version knows of the fact world it was trained on (not a test): exact SliCK, with
 * the paper's protocol, over the world's fine-tuning pool and its probe set; the category mix
 * overall and by pre-training exposure. Run through {@code bin/knowledge-report MODEL_DIR [SEED] [PRESET] [LIMIT]}.
 */
public final class KnowledgeReport {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: KnowledgeReport MODEL_DIR [SEED=42] [PRESET=standard] [LIMIT=all]");
            System.exit(2);
        }
        ModelFolder folder = ModelFolder.open(Path.of(args[0]));
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42L;
        String preset = args.length > 2 ? args[2] : "standard";
        int limit = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
        FactWorld world = FactWorld.generate(WorldConfig.preset(preset, seed));
        List<Exemplar> exemplars = new ArrayList<>();
        for (Fact f : world.dev()) {
            exemplars.add(new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer()));
        }
        long start = System.nanoTime();
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
             ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             PrefixScorer prefixes = PrefixScorer.forFolder(folder, RuntimeOptions.cpu(), 0, model)) {
            ExactSlick whole = ExactSlick.forVersion(folder, model, tokenizer, new ExemplarPool(exemplars),
                    SlickConfig.paper());
            // Shared prefixes where the version has a KV-cache export: the same verdicts (PrefixScoringTest), faster.
            ExactSlick slick = prefixes == null ? whole : whole.scoredBy(prefixes);
            List<Fact> pool = world.finetunePool().subList(0, Math.min(limit, world.finetunePool().size()));
            System.out.printf(Locale.ROOT, "model %s, world %s seed %d: %d pool facts, %d probes, exact SliCK %s%n%n",
                    folder.manifest().key(), preset, seed, pool.size(), world.probes().size(), SlickConfig.paper());
            report("fine-tuning pool", pool, slick);
            report("probe set", world.probes(), slick);
        }
        System.out.printf(Locale.ROOT, "%nwall time %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static void report(String name, List<Fact> facts, ExactSlick slick) throws Exception {
        List<SlickQuestion> all = facts.stream().map(f -> new SlickQuestion(f.toExample().id(), f.relation().name(),
                f.question(), f.answer(), List.of())).toList();
        // A question whose prompts exceed the model's positions has no verdict; it is counted apart.
        List<SlickQuestion> questions = new ArrayList<>();
        List<Fact> fitting = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (slick.fits(all.get(i))) {
                questions.add(all.get(i));
                fitting.add(facts.get(i));
            }
        }
        List<SlickResult> results = new ArrayList<>();
        for (int from = 0; from < questions.size(); from += 32) {
            results.addAll(slick.categorize(questions.subList(from, Math.min(questions.size(), from + 32))));
        }
        int unfit = facts.size() - fitting.size();
        facts = fitting;
        Map<Category, Integer> overall = new EnumMap<>(Category.class);
        Map<Integer, Map<Category, Integer>> byExposure = new TreeMap<>();
        for (int i = 0; i < facts.size(); i++) {
            Category c = results.get(i).category();
            overall.merge(c, 1, Integer::sum);
            byExposure.computeIfAbsent(facts.get(i).exposure(), e -> new EnumMap<>(Category.class)).merge(c, 1, Integer::sum);
        }
        System.out.println("### " + name + " (" + facts.size() + " facts)");
        System.out.println();
        System.out.println("| exposure | facts | HighlyKnown | MaybeKnown | WeaklyKnown | Unknown |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<Integer, Map<Category, Integer>> e : byExposure.entrySet()) {
            row(String.valueOf(e.getKey()), e.getValue());
        }
        row("**all**", overall);
        System.out.println();
        if (unfit > 0) {
            System.out.println(unfit + " facts left out: their prompts exceed the model's positions");
            System.out.println();
        }
    }

    private static void row(String label, Map<Category, Integer> counts) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder line = new StringBuilder("| " + label + " | " + total + " |");
        for (Category c : Category.values()) {
            int n = counts.getOrDefault(c, 0);
            line.append(String.format(Locale.ROOT, " %d (%.1f%%) |", n, 100.0 * n / total));
        }
        System.out.println(line);
    }
}
