package dev.knowgate.trainer.experiments;

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

    private static String stage(String stage) {
        return stage.replace('_', ' ');
    }

    private static String pm(Spread s, int decimals) {
        String f = "%." + decimals + "f ± %." + decimals + "f";
        return String.format(Locale.ROOT, f, s.mean(), s.std());
    }
}
