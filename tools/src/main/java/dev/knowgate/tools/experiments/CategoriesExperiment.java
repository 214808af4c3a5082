package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.tools.experiments.ExperimentContext.Checkpoint;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.world.Fact;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Gekhman et al. 2024, Table 2: fine-tuning sets made of one SliCK category each (HighlyKnown, MaybeKnown,
 * WeaklyKnown, Unknown; equal size), test accuracy at early stopping and at convergence, overall (probes)
 * and on the mixed held-out pool test set by the test facts' category.
 */
final class CategoriesExperiment {

    record Run(String category, long seed, int size, Checkpoint earlyStopping, Checkpoint convergence, double seconds) {
    }

    record Summary(String category, String stage, Spread testAccuracy, Spread poolTestAccuracy,
                   Map<String, Spread> poolTestByCategory, Spread trainAccuracy, Spread epochs) {
    }

    record Result(String experiment, Map<String, Object> config, Checkpoint base, List<Run> runs, List<Summary> summary,
                  double wallSeconds) {
    }

    private CategoriesExperiment() {
    }

    static Result run(ExperimentContext ctx) throws Exception {
        long t0 = System.nanoTime();
        Settings s = ctx.settings;
        int smallest = Integer.MAX_VALUE;
        for (Category c : Category.values()) {
            smallest = Math.min(smallest, ctx.trainable.get(c).size());
        }
        int size = Math.min(s.categorySize(), smallest);
        if (size < 1) {
            throw new IllegalStateException("a category has no trainable facts");
        }
        Checkpoint base = ctx.checkpoint("base", 0, ctx.start, List.of());
        List<Run> runs = new ArrayList<>();
        for (long seed : s.seeds()) {
            for (Category c : Category.values()) {
                List<Fact> train = ExperimentContext.shuffled(ctx.trainable.get(c), seed + c.ordinal() * 7_919L)
                        .subList(0, size);
                long r0 = System.nanoTime();
                FineTuner.Result<GptWeights> es = ctx.earlyStopping(train, seed);
                Checkpoint early = ctx.checkpoint("early_stopping", es.bestEpoch(), es.weights(), train);
                FineTuner.Result<GptWeights> conv = ctx.fixedEpochs(train, s.convEpochs(), 0, FrozenGroups.none(), seed);
                Checkpoint converged = ctx.checkpoint("convergence", conv.epochs().size(), conv.weights(), train);
                double seconds = (System.nanoTime() - r0) / 1e9;
                System.out.printf(Locale.ROOT,
                        "categories seed %d, D_%s (%d): early stop epoch %d test %.3f pool %.3f | %d epochs test %.3f "
                                + "pool %.3f (train %.2f) | %.1f s%n",
                        seed, c.wireName(), size, early.epochs(), early.testAccuracy(), early.poolTestAccuracy(),
                        converged.epochs(), converged.testAccuracy(), converged.poolTestAccuracy(),
                        converged.trainAccuracy(), seconds);
                runs.add(new Run(c.wireName(), seed, size, early, converged, seconds));
            }
        }
        List<Summary> summary = new ArrayList<>();
        for (Category c : Category.values()) {
            for (String stage : List.of("early_stopping", "convergence")) {
                List<Checkpoint> cps = runs.stream().filter(r -> r.category().equals(c.wireName()))
                        .map(r -> stage.equals("early_stopping") ? r.earlyStopping() : r.convergence()).toList();
                Map<String, Spread> byCategory = new LinkedHashMap<>();
                for (Category t : Category.values()) {
                    List<Double> v = cps.stream().map(cp -> cp.poolTestByCategory().get(t.wireName()))
                            .filter(x -> x != null).toList();
                    if (!v.isEmpty()) {
                        byCategory.put(t.wireName(), Spread.of(v));
                    }
                }
                summary.add(new Summary(c.wireName(), stage, GekhmanExperiment.spread(cps, Checkpoint::testAccuracy),
                        GekhmanExperiment.spread(cps, Checkpoint::poolTestAccuracy), byCategory,
                        GekhmanExperiment.spread(cps, Checkpoint::trainAccuracy),
                        GekhmanExperiment.spread(cps, Checkpoint::epochs)));
            }
        }
        Map<String, Object> config = ctx.config(true);
        config.put("size", size);
        Map<String, Integer> available = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            available.put(c.wireName(), ctx.trainable.get(c).size());
        }
        config.put("trainableByCategory", available);
        double wall = (System.nanoTime() - t0) / 1e9;
        Result result = new Result("categories", config, base, runs, summary, wall);
        ctx.write("categories", result, MarkdownTables.categories(result));
        Plots.categories(result, s.plots());
        System.out.printf(Locale.ROOT, "categories: %.1f s%n", wall);
        return result;
    }
}
