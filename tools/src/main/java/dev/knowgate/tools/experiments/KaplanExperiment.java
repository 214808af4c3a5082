package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.world.Fact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kaplan et al. 2026: factual forgetting while learning new facts. The model learns N Unknown facts for a
 * fixed number of epochs under plain fine-tuning, self-distillation (lambda 0.1 to 10, a trade-off curve)
 * and frozen parameter groups; forgetting is the share of the held-out probes that are HighlyKnown under the base model and
 * answered correctly by it (plain question, greedy) that the fine-tuned model now answers wrongly;
 * new-fact learning is the training accuracy on the Unknown facts.
 */
final class KaplanExperiment {

    /** A way to fine-tune. */
    record Method(String name, double distillLambda, List<String> frozen) {
    }

    static final List<Method> METHODS = List.of(
            new Method("plain (lambda 0)", 0, List.of()),
            new Method("self-distillation lambda 0.1", 0.1, List.of()),
            new Method("self-distillation lambda 0.3", 0.3, List.of()),
            new Method("self-distillation lambda 1", 1, List.of()),
            new Method("self-distillation lambda 10", 10, List.of()),
            new Method("frozen embeddings+attention", 0, List.of("embeddings", "attention")),
            new Method("frozen layers 0-1", 0, List.of("layers:0-1")));

    record Run(String method, long seed, int newFacts, int epochs, double forgetting, double newFactAccuracy,
               double probeAccuracy, double finalCrossEntropy, double finalKl, double seconds) {
    }

    record Summary(String method, double distillLambda, List<String> frozen, Spread forgetting,
                   Spread newFactAccuracy, Spread probeAccuracy) {
    }

    record Result(String experiment, Map<String, Object> config, int heldOutProbes, double baseProbeAccuracy,
                  List<Run> runs, List<Summary> summary, double wallSeconds) {
    }

    private KaplanExperiment() {
    }

    static Result run(ExperimentContext ctx) throws Exception {
        long t0 = System.nanoTime();
        Settings s = ctx.settings;
        List<Fact> unknown = ctx.trainable.get(Category.UNKNOWN);
        int n = Math.min(s.kaplanN(), unknown.size());
        // Held-out HighlyKnown probes that the base model answers correctly.
        List<Fact> hk = ctx.probes.stream().filter(f -> ctx.categories.get(f.id()) == Category.HIGHLY_KNOWN).toList();
        List<Fact> heldOut = new ArrayList<>();
        double baseProbeAccuracy;
        try (ExperimentContext.Scorer base = ctx.scorer(ctx.start)) {
            boolean[] right = base.correct(ctx.qa(hk));
            for (int i = 0; i < hk.size(); i++) {
                if (right[i]) {
                    heldOut.add(hk.get(i));
                }
            }
            baseProbeAccuracy = base.accuracy(ctx.qa(ctx.probes));
        }
        if (heldOut.isEmpty()) {
            throw new IllegalStateException("no HighlyKnown probe is answered correctly by the base model");
        }
        List<Run> runs = new ArrayList<>();
        for (long seed : s.seeds()) {
            List<Fact> train = ExperimentContext.shuffled(unknown, seed + 2_000_003L).subList(0, n);
            for (Method m : METHODS) {
                long r0 = System.nanoTime();
                FineTuner.Result<GptWeights> r = ctx.fixedEpochs(train, s.kaplanEpochs(), m.distillLambda(),
                        FrozenGroups.parse(m.frozen()), seed);
                double forgetting;
                double learned;
                double probes;
                try (ExperimentContext.Scorer after = ctx.scorer(r.weights())) {
                    forgetting = 1 - after.accuracy(ctx.qa(heldOut));
                    learned = after.accuracy(ctx.qa(train));
                    probes = after.accuracy(ctx.qa(ctx.probes));
                }
                FineTuner.Epoch last = r.epochs().get(r.epochs().size() - 1);
                double seconds = (System.nanoTime() - r0) / 1e9;
                System.out.printf(Locale.ROOT, "kaplan seed %d, %-28s: forgetting %.3f, new facts %.3f | %.1f s%n", seed,
                        m.name(), forgetting, learned, seconds);
                runs.add(new Run(m.name(), seed, n, r.epochs().size(), forgetting, learned, probes, last.crossEntropy(),
                        last.kl(), seconds));
            }
        }
        List<Summary> summary = new ArrayList<>();
        for (Method m : METHODS) {
            List<Run> rs = runs.stream().filter(r -> r.method().equals(m.name())).toList();
            summary.add(new Summary(m.name(), m.distillLambda(), m.frozen(),
                    Spread.of(rs.stream().map(Run::forgetting).toList()),
                    Spread.of(rs.stream().map(Run::newFactAccuracy).toList()),
                    Spread.of(rs.stream().map(Run::probeAccuracy).toList())));
        }
        Map<String, Object> config = ctx.config(false);
        config.put("newFacts", n);
        config.put("epochs", s.kaplanEpochs());
        config.put("methods", METHODS);
        double wall = (System.nanoTime() - t0) / 1e9;
        Result result = new Result("kaplan", config, heldOut.size(), baseProbeAccuracy, runs, summary, wall);
        ctx.write("kaplan", result, MarkdownTables.kaplan(result));
        Plots.kaplan(result, s.plots());
        System.out.printf(Locale.ROOT, "kaplan: %.1f s%n", wall);
        return result;
    }
}
