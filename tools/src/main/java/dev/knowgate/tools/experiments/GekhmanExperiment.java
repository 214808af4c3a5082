package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.tools.experiments.ExperimentContext.Checkpoint;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.world.Fact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Gekhman et al. 2024, "Does fine-tuning LLMs on new knowledge encourage hallucinations?": fine-tuning sets
 * of equal size |D| with 0, 25, 50, 75 and 100% Unknown examples (the rest Known: HighlyKnown, MaybeKnown
 * or WeaklyKnown under the base model); plain fine-tuning; test accuracy at early stopping and at
 * convergence; the linear model accuracy = b0 + b_kn N_kn_fitted/|D| + b_unk N_unk_fitted/|D| over all runs;
 * and the filtered set (the 50% set without its Unknown examples) against the unfiltered one.
 */
final class GekhmanExperiment {

    static final double[] UNKNOWN_SHARES = {0, 0.25, 0.5, 0.75, 1.0};

    /** One training set, trained twice (early stopping; a fixed number of epochs). */
    record Run(double unknownShare, long seed, boolean filtered, int size, Checkpoint earlyStopping,
               Checkpoint convergence, List<Double> devAccuracyByEpoch, double seconds) {
    }

    record Summary(double unknownShare, String stage, Spread testAccuracy, Spread poolTestAccuracy,
                   Spread knownFittedShare, Spread unknownFittedShare, Spread trainAccuracy, Spread epochs) {
    }

    /** Regression coefficients; the paper's accuracy is in percent, so {@code *Percent} = 100 x the raw values. */
    record Regression(String target, double beta0, double betaKnown, double betaUnknown, double r2, int n,
                      List<String> dropped, double beta0Percent, double betaKnownPercent, double betaUnknownPercent) {
        static Regression of(String target, Ols o) {
            return new Regression(target, o.beta0(), o.beta1(), o.beta2(), o.r2(), o.n(), o.dropped(),
                    100 * o.beta0(), 100 * o.beta1(), 100 * o.beta2());
        }
    }

    /** The filtered (Known half only) and unfiltered (50% Unknown) sets at one stage. */
    record Filtered(String stage, Spread filteredTestAccuracy, Spread unfilteredTestAccuracy,
                    Spread filteredPoolTestAccuracy, Spread unfilteredPoolTestAccuracy) {
    }

    record Point(double unknownShare, long seed, String stage, double knownFittedShare, double unknownFittedShare,
                 double testAccuracy, double fitted) {
    }

    record Result(String experiment, Map<String, Object> config, Checkpoint base, List<Run> runs,
                  List<Summary> summary, Regression regression, Regression poolTestRegression, List<Point> points,
                  List<Filtered> filtered, double wallSeconds) {
    }

    private GekhmanExperiment() {
    }

    static Result run(ExperimentContext ctx) throws Exception {
        long t0 = System.nanoTime();
        Settings s = ctx.settings;
        int n = s.gekhmanN();
        List<Fact> known = new ArrayList<>();
        for (Category c : List.of(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN)) {
            known.addAll(ctx.trainable.get(c));
        }
        List<Fact> unknown = ctx.trainable.get(Category.UNKNOWN);
        if (known.size() < n || unknown.size() < n) {
            throw new IllegalStateException("|D| = " + n + " needs " + n + " Known and " + n + " Unknown facts; the pool has "
                    + known.size() + " and " + unknown.size());
        }
        Checkpoint base = ctx.checkpoint("base", 0, ctx.start, List.of());
        List<Run> runs = new ArrayList<>();
        for (long seed : s.seeds()) {
            List<Fact> kn = ExperimentContext.shuffled(known, seed);
            List<Fact> unk = ExperimentContext.shuffled(unknown, seed + 1_000_003L);
            for (double share : UNKNOWN_SHARES) {
                int nu = (int) Math.round(n * share);
                List<Fact> train = new ArrayList<>(unk.subList(0, nu));
                train.addAll(kn.subList(0, n - nu));
                runs.add(train(ctx, train, share, seed, false));
            }
            // Filtered: the 50% set's Known examples alone (the same facts, |D| / 2 of them).
            runs.add(train(ctx, new ArrayList<>(kn.subList(0, n - (int) Math.round(n * 0.5))), 0.5, seed, true));
        }

        List<Summary> summary = new ArrayList<>();
        List<Point> points = new ArrayList<>();
        for (double share : UNKNOWN_SHARES) {
            for (String stage : List.of("early_stopping", "convergence")) {
                List<Checkpoint> cps = runs.stream().filter(r -> !r.filtered() && r.unknownShare() == share)
                        .map(r -> pick(r, stage)).toList();
                summary.add(new Summary(share, stage, spread(cps, Checkpoint::testAccuracy),
                        spread(cps, Checkpoint::poolTestAccuracy), spread(cps, Checkpoint::knownFittedShare),
                        spread(cps, Checkpoint::unknownFittedShare), spread(cps, Checkpoint::trainAccuracy),
                        spread(cps, Checkpoint::epochs)));
            }
        }
        List<Run> unfiltered = runs.stream().filter(r -> !r.filtered()).toList();
        int m = unfiltered.size() * 2;
        double[] x1 = new double[m];
        double[] x2 = new double[m];
        double[] y = new double[m];
        double[] yPool = new double[m];
        int i = 0;
        for (Run r : unfiltered) {
            for (String stage : List.of("early_stopping", "convergence")) {
                Checkpoint c = pick(r, stage);
                x1[i] = c.knownFittedShare();
                x2[i] = c.unknownFittedShare();
                y[i] = c.testAccuracy();
                yPool[i] = c.poolTestAccuracy();
                i++;
            }
        }
        Ols fit = Ols.fit(x1, x2, y);
        Ols poolFit = Ols.fit(x1, x2, yPool);
        i = 0;
        for (Run r : unfiltered) {
            for (String stage : List.of("early_stopping", "convergence")) {
                points.add(new Point(r.unknownShare(), r.seed(), stage, x1[i], x2[i], y[i], fit.predict(x1[i], x2[i])));
                i++;
            }
        }
        List<Filtered> filtered = new ArrayList<>();
        for (String stage : List.of("early_stopping", "convergence")) {
            List<Checkpoint> f = runs.stream().filter(Run::filtered).map(r -> pick(r, stage)).toList();
            List<Checkpoint> u = runs.stream().filter(r -> !r.filtered() && r.unknownShare() == 0.5)
                    .map(r -> pick(r, stage)).toList();
            filtered.add(new Filtered(stage, spread(f, Checkpoint::testAccuracy), spread(u, Checkpoint::testAccuracy),
                    spread(f, Checkpoint::poolTestAccuracy), spread(u, Checkpoint::poolTestAccuracy)));
        }
        Map<String, Object> config = ctx.config(true);
        config.put("size", n);
        config.put("unknownShares", UNKNOWN_SHARES);
        double wall = (System.nanoTime() - t0) / 1e9;
        Result result = new Result("gekhman", config, base, runs, summary, Regression.of("probes", fit),
                Regression.of("poolTest", poolFit), points, filtered, wall);
        ctx.write("gekhman", result, MarkdownTables.gekhman(result));
        Plots.gekhman(result, s.plots());
        System.out.printf(Locale.ROOT, "gekhman: beta_kn %.3f, beta_unk %.3f, R2 %.3f (%d points); %.1f s%n",
                fit.beta1(), fit.beta2(), fit.r2(), fit.n(), wall);
        return result;
    }

    private static Run train(ExperimentContext ctx, List<Fact> train, double share, long seed, boolean filtered) {
        long t0 = System.nanoTime();
        Settings s = ctx.settings;
        FineTuner.Result<GptWeights> es = ctx.earlyStopping(train, seed);
        Checkpoint early = ctx.checkpoint("early_stopping", es.bestEpoch(), es.weights(), train);
        FineTuner.Result<GptWeights> conv = ctx.fixedEpochs(train, s.convEpochs(), 0, dev.knowgate.training.finetune.FrozenGroups.none(),
                seed);
        Checkpoint converged = ctx.checkpoint("convergence", conv.epochs().size(), conv.weights(), train);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT,
                "gekhman seed %d, Unknown %3.0f%%%s (|D| %d): early stop epoch %d test %.3f (fits kn %.2f unk %.2f) | "
                        + "%d epochs test %.3f (fits kn %.2f unk %.2f, train %.2f) | %.1f s%n",
                seed, share * 100, filtered ? " filtered" : "", train.size(), early.epochs(), early.testAccuracy(),
                early.knownFittedShare(), early.unknownFittedShare(), converged.epochs(), converged.testAccuracy(),
                converged.knownFittedShare(), converged.unknownFittedShare(), converged.trainAccuracy(), seconds);
        return new Run(share, seed, filtered, train.size(), early, converged,
                es.epochs().stream().map(FineTuner.Epoch::devAccuracy).toList(), seconds);
    }

    static Checkpoint pick(Run r, String stage) {
        return stage.equals("early_stopping") ? r.earlyStopping() : r.convergence();
    }

    static Spread spread(List<Checkpoint> cps, ToDoubleFunction<Checkpoint> f) {
        return Spread.of(cps.stream().map(c -> f.applyAsDouble(c)).toList());
    }
}
