package dev.knowgate.trainer.experiments;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bin/experiments}: reproduces the papers' findings with the project's own components (the shipped
 * base model, exact SliCK, {@code FineTuner}) on the standard fact world; results in docs/results.md.
 *
 * <ul>
 *   <li>{@code gekhman}: equal-size sets with 0-100% Unknown, early stopping vs convergence, the linear fit
 *       of accuracy on the shares of fitted Known and Unknown examples, filtered vs unfiltered;</li>
 *   <li>{@code categories}: single-category sets (the paper's Table 2);</li>
 *   <li>{@code kaplan}: forgetting of HighlyKnown probes while learning Unknown facts, plain fine-tuning vs
 *       self-distillation vs frozen parameter groups;</li>
 *   <li>{@code all}: the three in one JVM (SliCK categories computed once).</li>
 * </ul>
 * One JSON per experiment goes to {@code --out}, PNG plots to {@code --plots}. {@code --quick} is a smoke run.
 */
@Command(name = "experiments", mixinStandardHelpOptions = true,
        description = "Reproduces Gekhman et al. 2024 and Kaplan et al. 2026 on the shipped base model and fact world.",
        subcommands = {ExperimentRunner.Gekhman.class, ExperimentRunner.Categories.class, ExperimentRunner.Kaplan.class,
                ExperimentRunner.All.class})
public final class ExperimentRunner implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 2;
    }

    /** Options every experiment takes; unset ones get the full run's or, with --quick, the smoke run's defaults. */
    static final class Common {

        @Option(names = "--model", defaultValue = "models/knowgate-base-1", description = "base model folder (default: ${DEFAULT-VALUE})")
        Path model;

        @Option(names = "--out", description = "JSON results (default var/experiments, with --quick var/experiments/quick)")
        Path out;

        @Option(names = "--plots", description = "PNG plots (default docs/results, with --quick <out>/plots)")
        Path plots;

        @Option(names = "--seeds", split = ",", description = "repeat seeds (default 1,2,3,4,5; --quick: the first)")
        List<Long> seeds;

        @Option(names = "--threads", description = "PyTorch and ONNX Runtime threads (default: every core)")
        Integer threads;

        @Option(names = "--quick", description = "smoke run: tiny sets, 1 seed, 2 epochs, a slice of the pool")
        boolean quick;

        @Option(names = "--lr", description = "AdamW learning rate (default 3e-4)")
        Float lr;

        @Option(names = "--batch-size", description = "examples per step (default 16)")
        Integer batchSize;

        @Option(names = "--n", description = "|D| of the gekhman sets (default 200)")
        Integer n;

        @Option(names = "--category-size", description = "size of each single-category set (default 150)")
        Integer categorySize;

        @Option(names = "--new-facts", description = "Unknown facts learned in kaplan (default 200)")
        Integer newFacts;

        @Option(names = "--max-epochs", description = "early-stopping runs: epochs at most (default 15)")
        Integer maxEpochs;

        @Option(names = "--patience", description = "early-stopping runs: epochs without a better dev accuracy (default 2)")
        Integer patience;

        @Option(names = "--conv-epochs", description = "convergence: fixed epochs (default 15)")
        Integer convEpochs;

        @Option(names = "--kaplan-epochs", description = "kaplan: fixed epochs (default 10)")
        Integer kaplanEpochs;

        @Option(names = "--dev-size", description = "Known pool facts held out for early stopping (default 100)")
        Integer devSize;

        @Option(names = "--pool-test-size", description = "pool facts of any category held out as a mixed test set (default 300)")
        Integer poolTestSize;

        Settings settings() {
            Path o = out != null ? out : quick ? Path.of("var", "experiments", "quick") : Path.of("var", "experiments");
            Path p = plots != null ? plots : quick ? o.resolve("plots") : Path.of("docs", "results");
            List<Long> s = seeds != null && !seeds.isEmpty() ? seeds : List.of(1L, 2L, 3L, 4L, 5L);
            if (quick && seeds == null) {
                s = s.subList(0, 1);
            }
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            return new Settings(model, o, p, List.copyOf(s), t, quick,
                    lr != null ? lr : 3e-4f,
                    or(batchSize, 16, 8),
                    or(maxEpochs, 15, 2),
                    or(patience, 2, 2),
                    or(convEpochs, 15, 2),
                    or(devSize, 100, 16),
                    or(poolTestSize, 300, 24),
                    quick ? 400 : Integer.MAX_VALUE,
                    quick ? 60 : Integer.MAX_VALUE,
                    or(n, 200, 16),
                    or(categorySize, 150, 8),
                    or(newFacts, 200, 16),
                    or(kaplanEpochs, 10, 2));
        }

        private int or(Integer given, int full, int smoke) {
            return given != null ? given : quick ? smoke : full;
        }
    }

    /** Runs experiments on one shared context and prints the wall time. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Common common;

        abstract void run(ExperimentContext ctx) throws Exception;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            Settings s = common.settings();
            System.out.printf(Locale.ROOT, "experiments: model %s, seeds %s, %d threads, lr %s%s; results -> %s, plots -> %s%n",
                    s.model(), s.seeds(), s.threads(), s.lr(), s.quick() ? ", QUICK" : "", s.out(), s.plots());
            try (ExperimentContext ctx = ExperimentContext.open(s)) {
                System.out.printf(Locale.ROOT, "held out: %d probes, %d pool test facts, %d dev facts; trainable %s (%.1f s)%n",
                        ctx.probes.size(), ctx.poolTest.size(), ctx.dev.size(), sizes(ctx), (System.nanoTime() - t0) / 1e9);
                run(ctx);
                System.out.printf(Locale.ROOT, "wall time %.1f s; fine-tuning steps skipped as non-finite: %d%n",
                        (System.nanoTime() - t0) / 1e9, ctx.skippedSteps());
            }
            return 0;
        }

        private static String sizes(ExperimentContext ctx) {
            StringBuilder b = new StringBuilder();
            ctx.trainable.forEach((c, l) -> b.append(b.length() == 0 ? "" : ", ").append(c.wireName()).append(' ').append(l.size()));
            return b.toString();
        }
    }

    @Command(name = "gekhman", mixinStandardHelpOptions = true,
            description = "Unknown share 0-100% at equal |D|: accuracy at early stopping and convergence, the linear fit, filtered vs unfiltered.")
    static final class Gekhman extends Base {
        @Override
        void run(ExperimentContext ctx) throws Exception {
            GekhmanExperiment.run(ctx);
        }
    }

    @Command(name = "categories", mixinStandardHelpOptions = true,
            description = "Single-category fine-tuning sets (HighlyKnown, MaybeKnown, WeaklyKnown, Unknown): the paper's Table 2.")
    static final class Categories extends Base {
        @Override
        void run(ExperimentContext ctx) throws Exception {
            CategoriesExperiment.run(ctx);
        }
    }

    @Command(name = "kaplan", mixinStandardHelpOptions = true,
            description = "Forgetting of HighlyKnown probes while learning Unknown facts: plain, self-distillation, frozen groups.")
    static final class Kaplan extends Base {
        @Override
        void run(ExperimentContext ctx) throws Exception {
            KaplanExperiment.run(ctx);
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true, description = "gekhman, categories and kaplan in one run.")
    static final class All extends Base {
        @Override
        void run(ExperimentContext ctx) throws Exception {
            GekhmanExperiment.run(ctx);
            CategoriesExperiment.run(ctx);
            KaplanExperiment.run(ctx);
        }
    }

    /** Parses and runs; returns the exit code (used by the smoke test, which must not exit the JVM). */
    public static int execute(String... args) {
        System.setProperty("java.awt.headless", "true");
        System.setProperty("ai.djl.offline", "true");
        return new CommandLine(new ExperimentRunner()).execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
