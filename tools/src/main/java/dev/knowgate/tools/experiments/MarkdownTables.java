package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;

import java.util.List;
import java.util.Locale;

/**
 * The experiments' tables in Markdown, rendered from the results themselves (written next to the JSON
 * and printed), so that docs/results.md quotes numbers rather than retyping them. Cells are
 * "mean ± sample standard deviation" over the seeds.
 */
final class MarkdownTables {

    private static final List<String> STAGES = List.of("early_stopping", "convergence");

    private MarkdownTables() {
    }

    static String gekhman(GekhmanExperiment.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Gekhman: |D| = %s, seeds %s; base model: probes %.3f, pool test %.3f%n%n",
                r.config().get("size"), r.config().get("seeds"), r.base().testAccuracy(), r.base().poolTestAccuracy()));
        b.append("| Unknown in D | stage | epochs | probes accuracy | pool test accuracy | Known fitted / D | Unknown fitted / D | train accuracy |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (GekhmanExperiment.Summary s : r.summary()) {
            b.append(String.format(Locale.ROOT, "| %.0f%% | %s | %s | %s | %s | %s | %s | %s |%n", 100 * s.unknownShare(),
                    stage(s.stage()), pm(s.epochs(), 1), pm(s.testAccuracy(), 3), pm(s.poolTestAccuracy(), 3),
                    pm(s.knownFittedShare(), 2), pm(s.unknownFittedShare(), 2), pm(s.trainAccuracy(), 2)));
        }
        b.append("\n| fit (accuracy in %) | beta_0 | beta_kn | beta_unk | R^2 | points | left out |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (GekhmanExperiment.Regression g : List.of(r.regression(), r.poolTestRegression())) {
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.2f | %d | %s |%n",
                    g.target().equals("probes") ? "probes (held-out known facts)" : "pool test (in-distribution mix)",
                    g.beta0Percent(), g.betaKnownPercent(), g.betaUnknownPercent(), g.r2(), g.n(),
                    g.dropped().isEmpty() ? "-" : String.join(", ", g.dropped())));
        }
        b.append("| Gekhman et al. 2024, in-distribution | - | 7.3 | -8.3 | 0.86 | - | - |\n");
        b.append("\n| stage | filtered (Known half only): probes | unfiltered (50% Unknown): probes | filtered: pool test | unfiltered: pool test |\n");
        b.append("|---|---|---|---|---|\n");
        for (GekhmanExperiment.Filtered f : r.filtered()) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", stage(f.stage()),
                    pm(f.filteredTestAccuracy(), 3), pm(f.unfilteredTestAccuracy(), 3),
                    pm(f.filteredPoolTestAccuracy(), 3), pm(f.unfilteredPoolTestAccuracy(), 3)));
        }
        return b.toString();
    }

    static String categories(CategoriesExperiment.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Single-category sets: |D| = %s each, seeds %s; base model: probes %.3f, pool test %.3f",
                r.config().get("size"), r.config().get("seeds"), r.base().testAccuracy(), r.base().poolTestAccuracy()));
        b.append(" (pool test by category:");
        r.base().poolTestByCategory().forEach((c, v) -> b.append(String.format(Locale.ROOT, " %s %.3f", c, v)));
        b.append(")\n\n| D | stage | epochs | probes accuracy | pool test accuracy |");
        for (Category c : Category.values()) {
            b.append(" pool test ").append(c.wireName()).append(" |");
        }
        b.append(" train accuracy |\n|---|---|---|---|---|");
        b.append("---|".repeat(Category.values().length)).append("---|\n");
        for (CategoriesExperiment.Summary s : r.summary()) {
            b.append(String.format(Locale.ROOT, "| D_%s | %s | %s | %s | %s |", s.category(), stage(s.stage()),
                    pm(s.epochs(), 1), pm(s.testAccuracy(), 3), pm(s.poolTestAccuracy(), 3)));
            for (Category c : Category.values()) {
                Spread v = s.poolTestByCategory().get(c.wireName());
                b.append(' ').append(v == null ? "-" : pm(v, 3)).append(" |");
            }
            b.append(' ').append(pm(s.trainAccuracy(), 2)).append(" |\n");
        }
        return b.toString();
    }

    static String kaplan(KaplanExperiment.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "Kaplan: %s Unknown facts, %s epochs, seeds %s; %d held-out HighlyKnown probes the base model answers "
                        + "(base probe accuracy %.3f)%n%n",
                r.config().get("newFacts"), r.config().get("epochs"), r.config().get("seeds"), r.heldOutProbes(),
                r.baseProbeAccuracy()));
        b.append("| method | forgetting (HighlyKnown probes lost) | new facts learned (train accuracy) | all probes accuracy |\n");
        b.append("|---|---|---|---|\n");
        for (KaplanExperiment.Summary s : r.summary()) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", s.method(), pm(s.forgetting(), 3),
                    pm(s.newFactAccuracy(), 3), pm(s.probeAccuracy(), 3)));
        }
        b.append("| Kaplan et al. 2026: plain / self-distillation | about 0.15 / about 0.03 | | |\n");
        return b.toString();
    }

    /** One pass of the stream, round by round (printed as it finishes). */
    static String roundsRun(RoundsExperiment.Run run) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%s, %s, gate %s, seed %d: arrivals %s, %d quarantined, %d too long; %.1f s%n%n",
                run.recipe(), run.mode(), run.gate() ? "on" : "off", run.seed(), run.arrivals(), run.quarantined(),
                run.tooLong(), run.seconds()));
        b.append("| round | version | promoted | new by category | trained new | dev | replayed | epochs (kept) | fit | "
                + "forgetting | probes | retention | learned: round | learned: lineage | Unknown learned: lineage | s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (RoundsExperiment.RoundRow r : run.rounds()) {
            b.append(String.format(Locale.ROOT,
                    "| %d%s | %s → %s | %s | %s | %d | %d | %d | %d (%d) | %.3f | %.3f | %.3f | %.3f | %.3f (%d) | %.3f (%d) | %s | %.1f |%n",
                    r.round(), r.flush() ? " (last)" : "", r.parent(), r.version(), r.promoted() ? "yes" : "no",
                    r.newByCategory(), r.trainNew(), r.dev(), r.replayed(), r.epochsRun(), r.bestEpoch(), r.trainFit(),
                    r.forgetting(), r.probeAccuracy(), r.retentionAccuracy(), r.learnedRound(), r.learnedRoundFacts(),
                    r.learnedLineage(), r.learnedLineageFacts(), r.unknownLineageFacts() == 0 ? "-"
                            : String.format(Locale.ROOT, "%.3f (%d)", r.unknownLearnedLineage(), r.unknownLineageFacts()),
                    r.seconds()));
        }
        b.append(String.format(Locale.ROOT, "final %s: forgetting %.3f (most of a promoted version %.3f), learned %.3f of %d "
                        + "MaybeKnown+WeaklyKnown facts, probes %.3f; %d promoted, %d rejected%n", run.finalVersion(),
                run.finalForgetting(), run.maxForgetting(), run.learned(), run.learnedFacts(), run.finalProbeAccuracy(),
                run.promoted(), run.rejected()));
        RoundsExperiment.Released x = run.released();
        if (x != null) {
            b.append(String.format(Locale.ROOT, "released (budget %s): %d released, admitted by round %s, %d returned by "
                            + "rejected rounds, %d trained by the final version's lineage, %d of them answered by it "
                            + "(%d right after their round, %d by the base), %d still waiting%n", x.budget(), x.released(),
                    x.admittedByRound(), x.returned(), x.inLineage(), x.learned(), x.learnedWhenTrained(),
                    x.baseAnswered(), x.waiting()));
        }
        return b.toString();
    }

    /**
     * The released budgets side by side (bin/experiments rounds --released-budget): per budget, mean ± standard
     * deviation over the seeds, then each seed's value in seed order.
     */
    static String released(RoundsExperiment.Result r) {
        StringBuilder b = new StringBuilder();
        b.append("| recipe | released budget | released (every quarantined Unknown) | trained by the final promoted "
                + "version's lineage | of those, answered by the final version | share answered | answered right after "
                + "their own round | answered by the base | "
                + "still waiting at the end | returned by rejected rounds | rounds promoted / rejected | final forgetting "
                + "(base-known probes) | MaybeKnown+WeaklyKnown learned |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (RoundsExperiment.Summary s : r.summary()) {
            RoundsExperiment.ReleasedSummary x = s.released();
            if (x == null) {
                continue;
            }
            List<RoundsExperiment.Run> runs = r.runs().stream().filter(run -> run.recipe().equals(s.recipe())
                    && run.mode().equals(s.mode()) && run.gate() == s.gate() && run.released() != null
                    && run.released().budget() == x.budget()).toList();
            b.append(String.format(Locale.ROOT, "| %s | %.0f%% | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    s.recipe(), 100 * x.budget(),
                    seeds(x.released(), 1, runs, run -> run.released().released()),
                    seeds(x.inLineage(), 1, runs, run -> run.released().inLineage()),
                    seeds(x.learned(), 1, runs, run -> run.released().learned()),
                    seeds(x.learnedShare(), 3, runs, run -> run.released().learnedShare()),
                    seeds(x.learnedWhenTrained(), 1, runs, run -> run.released().learnedWhenTrained()),
                    seeds(x.baseAnswered(), 1, runs, run -> run.released().baseAnswered()),
                    seeds(x.waiting(), 1, runs, run -> run.released().waiting()),
                    seeds(x.returned(), 1, runs, run -> run.released().returned()),
                    String.join(", ", runs.stream().map(run -> run.promoted() + " / " + run.rejected()).toList()),
                    seeds(s.finalForgetting(), 3, runs, RoundsExperiment.Run::finalForgetting),
                    seeds(s.learned(), 3, runs, RoundsExperiment.Run::learned)));
        }
        return b.toString();
    }

    /** Mean ± standard deviation, then each seed's value; a count (decimals 1) shows each seed's as a whole number. */
    private static String seeds(Spread s, int decimals, List<RoundsExperiment.Run> runs,
                                java.util.function.ToDoubleFunction<RoundsExperiment.Run> value) {
        String f = "%." + (decimals == 1 ? 0 : decimals) + "f";
        String each = String.join(", ", runs.stream()
                .map(run -> String.format(Locale.ROOT, f, value.applyAsDouble(run))).toList());
        return pm(s, decimals) + " (" + each + ")";
    }

    static String rounds(RoundsExperiment.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Rounds: the first %s examples of the stream, rounds of %s trainable examples, "
                        + "seeds %s; %d probes, %d answered right by the base (its accuracy %.3f); retention facts: base "
                        + "accuracy %.3f; gate %s at %.2f%n%n", r.config().get("examples"), r.config().get("minExamples"),
                r.config().get("seeds"), r.probes(), r.baseCorrectProbes(), r.baseProbeAccuracy(), r.baseRetention(),
                r.config().get("gate"), (Double) r.config().get("maxForgetting")));
        b.append("| recipe | mode | gate | rounds (promoted) | epochs per round | forgetting after each round | final forgetting "
                + "| most forgetting of a promoted version | learned (final version) | MaybeKnown+WeaklyKnown trained | "
                + "probes accuracy | retention accuracy |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (RoundsExperiment.Summary s : r.summary()) {
            String recipe = s.released() == null ? s.recipe()
                    : String.format(Locale.ROOT, "%s, released %.0f%%", s.recipe(), 100 * s.released().budget());
            StringBuilder byRound = new StringBuilder();
            for (Spread f : s.forgettingByRound()) {
                byRound.append(byRound.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.3f", f.mean()));
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    recipe, s.mode(), s.gate() ? "on" : "off", pm(s.rounds(), 1), pm(s.promoted(), 1),
                    pm(s.epochsPerRound(), 1), byRound, pm(s.finalForgetting(), 3), pm(s.maxForgetting(), 3),
                    pm(s.learned(), 3), pm(s.learnedFacts(), 0), pm(s.probeAccuracy(), 3), pm(s.retention(), 3)));
        }
        b.append("\n| recipe | settings |\n|---|---|\n");
        for (RoundsExperiment.Recipe recipe : r.recipes()) {
            b.append("| ").append(recipe.name()).append(" | ").append(recipe.settings()).append(" |\n");
        }
        if (r.summary().stream().anyMatch(s -> s.released() != null)) {
            b.append("\nReleased examples, by budget (mean ± standard deviation, then each seed):\n\n").append(released(r));
        }
        String targets = targets(r);
        if (!targets.isEmpty()) {
            b.append('\n').append(targets);
        }
        return b.toString();
    }

    /**
     * The project's targets, for each recipe run filtered with the gate and unfiltered without it: every promoted
     * filtered version forgets at most the gate's threshold and the final one learned at least 80% of its
     * MaybeKnown+WeaklyKnown facts (in every seed), and the unfiltered final version forgets at least 3 times
     * what the filtered one does (means over the seeds).
     */
    private static String targets(RoundsExperiment.Result r) {
        StringBuilder b = new StringBuilder();
        double max = (Double) r.config().get("maxForgetting");
        for (RoundsExperiment.Recipe recipe : r.recipes()) {
            List<RoundsExperiment.Run> f = r.runs().stream()
                    .filter(x -> x.recipe().equals(recipe.name()) && x.mode().equals("filtered") && x.gate()).toList();
            List<RoundsExperiment.Run> u = r.runs().stream()
                    .filter(x -> x.recipe().equals(recipe.name()) && x.mode().equals("unfiltered") && !x.gate()).toList();
            if (f.isEmpty() || u.isEmpty()) {
                continue;
            }
            if (b.length() == 0) {
                b.append("| recipe | filtered, gate on: every promoted version forgets <= ").append(max)
                        .append(" | filtered: final learned >= 0.8 (of how many MaybeKnown+WeaklyKnown facts trained on, of how many that arrived) "
                                + "| filtered: rounds promoted | unfiltered, gate off: final forgetting >= 3 x filtered's | all met, as defined |\n");
                b.append("|---|---|---|---|---|---|\n");
            }
            long forgetOk = f.stream().filter(x -> x.maxForgetting() <= max + 1e-12).count();
            long learnedOk = f.stream().filter(x -> x.learned() >= 0.8).count();
            double ff = f.stream().mapToDouble(RoundsExperiment.Run::finalForgetting).average().orElse(0);
            double uf = u.stream().mapToDouble(RoundsExperiment.Run::finalForgetting).average().orElse(0);
            boolean ratio = uf >= 3 * ff;
            boolean all = forgetOk == f.size() && learnedOk == f.size() && ratio;
            // A lineage that kept only a sliver of the stream meets the learned share trivially: say how much it kept.
            String learned = String.join(", ", f.stream().map(x -> String.format(Locale.ROOT, "%.3f of %d of %d", x.learned(),
                    x.learnedFacts(), x.arrivals().getOrDefault(Category.MAYBE_KNOWN.wireName(), 0)
                            + x.arrivals().getOrDefault(Category.WEAKLY_KNOWN.wireName(), 0))).toList());
            String promoted = String.join(", ", f.stream().map(x -> x.promoted() + "/" + x.rounds().size()).toList());
            b.append(String.format(Locale.ROOT, "| %s | %d of %d seeds (most %.3f) | %d of %d seeds (%s) | %s | %.3f vs %.3f (%s) | %s |%n",
                    recipe.name(), forgetOk, f.size(),
                    f.stream().mapToDouble(RoundsExperiment.Run::maxForgetting).max().orElse(0), learnedOk, f.size(),
                    learned, promoted, uf, ff,
                    ratio ? (ff == 0 ? "filtered 0" : String.format(Locale.ROOT, "%.1fx", uf / ff)) : "no",
                    all ? "yes" : "no"));
        }
        return b.toString();
    }

    private static String stage(String stage) {
        return stage.replace('_', ' ');
    }

    private static String pm(Spread s, int decimals) {
        String f = "%." + decimals + "f ± %." + decimals + "f";
        return String.format(Locale.ROOT, f, s.mean(), s.std());
    }
}
