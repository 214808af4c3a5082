package dev.knowgate.tools.experiments;

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
 *   <li>{@code all}: the three in one JVM (SliCK categories computed once);</li>
 *   <li>{@code rounds}: the trainer service's continual rounds on the fact world's stream (categorized under the
 *       live version, RoundMixer, FineTuner, an optional promotion gate), recipe against recipe.</li>
 * </ul>
 * One JSON per experiment goes to {@code --out}, PNG plots to {@code --plots}. {@code --quick} is a smoke run.
 */
@Command(name = "experiments", mixinStandardHelpOptions = true,
        description = "Reproduces Gekhman et al. 2024 and Kaplan et al. 2026 on the shipped base model and fact world.",
        subcommands = {ExperimentRunner.Gekhman.class, ExperimentRunner.Categories.class, ExperimentRunner.Kaplan.class,
                ExperimentRunner.All.class, ExperimentRunner.Rounds.class})
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
            long t = System.nanoTime();
            GekhmanExperiment.run(ctx);
            double gekhman = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            CategoriesExperiment.run(ctx);
            double categories = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            KaplanExperiment.run(ctx);
            double kaplan = (System.nanoTime() - t) / 1e9;
            // docs/results.md's time table, printed so that bin/bench-repeat can merge it over runs.
            System.out.println();
            System.out.println("| part | wall time |");
            System.out.println("|---|---|");
            // Rows named by experiment only: sizes and seeds are options (--seeds, --quick).
            System.out.printf(Locale.ROOT, "| gekhman | %.1f s |%n", gekhman);
            System.out.printf(Locale.ROOT, "| categories | %.1f s |%n", categories);
            System.out.printf(Locale.ROOT, "| kaplan | %.1f s |%n", kaplan);
        }
    }

    @Command(name = "rounds", mixinStandardHelpOptions = true,
            description = "The trainer service's continual rounds on the example stream, simulated with its components: "
                    + "forgetting and learned share per round, recipe against recipe (not part of 'all').")
    static final class Rounds extends Base {

        @Option(names = "--recipes", split = ",", description = "recipes to run: names from the catalogue (${COMPLETION-CANDIDATES}), "
                + "'factors' (one factor at a time against the service), 'combos', 'around' (one factor at a time against the recipe) or 'all' (default: service; a custom recipe is added when any "
                + "recipe option below is given)",
                completionCandidates = RecipeNames.class)
        List<String> recipes;

        @Option(names = "--modes", split = ",", description = "filtered (Unknown quarantined) and/or unfiltered (default: both)")
        List<String> modes;

        @Option(names = "--gate", defaultValue = "filtered",
                description = "promotion gate: off, filtered (filtered runs only, the targets' setting) or on (default: ${DEFAULT-VALUE})")
        String gate;

        @Option(names = "--max-forgetting", defaultValue = "0.03", description = "the gate's threshold (default: ${DEFAULT-VALUE})")
        double maxForgetting;

        @Option(names = "--examples", description = "stream examples pushed (default 1200; --quick 120)")
        Integer examples;

        @Option(names = "--min-examples", description = "trainable examples that start a round (default 200; --quick 40)")
        Integer minExamples;

        @Option(names = "--released-budget", split = ",", description = "released budgets to run each recipe at, e.g. "
                + "0,0.1,0.3: a curator releases every quarantined Unknown example at once, each round admits the oldest "
                + "within the trainer's budget (knowgate.trainer.released.budget); filtered runs only, and the default "
                + "recipe becomes 'recipe' (the trainer's defaults)")
        List<Double> releasedBudget;

        @Option(names = "--name", defaultValue = "rounds", description = "results file name in --out (default: ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--custom-base", defaultValue = "service", description = "the recipe the options below change (default: ${DEFAULT-VALUE})")
        String customBase;

        @Option(names = "--custom-name", defaultValue = "custom", description = "the custom recipe's name (default: ${DEFAULT-VALUE})")
        String customName;

        @Option(names = "--round-lr", description = "custom recipe: learning rate")
        Float roundLr;

        @Option(names = "--round-epochs", description = "custom recipe: epochs at most")
        Integer roundEpochs;

        @Option(names = "--round-patience", description = "custom recipe: patience")
        Integer roundPatience;

        @Option(names = "--lambda", description = "custom recipe: self-distillation lambda")
        Double lambda;

        @Option(names = "--teacher", description = "custom recipe: self-distillation teacher, ${COMPLETION-CANDIDATES}")
        RoundsExperiment.Teacher teacher;

        @Option(names = "--stopping", description = "custom recipe: epoch choice, ${COMPLETION-CANDIDATES}")
        RoundsExperiment.Stopping stopping;

        @Option(names = "--max-retention-drop", description = "custom recipe: GUARDED's largest retention loss")
        Double maxRetentionDrop;

        @Option(names = "--weakly-known", arity = "1", description = "custom recipe: filtered rounds train on WeaklyKnown (true/false)")
        Boolean weaklyKnown;

        @Option(names = "--replay-share", description = "custom recipe: replay share")
        Double replayShare;

        @Override
        void run(ExperimentContext ctx) throws Exception {
            boolean quick = ctx.settings.quick();
            List<RoundsExperiment.Recipe> list = new java.util.ArrayList<>();
            List<String> names = recipes == null ? List.of() : recipes;
            boolean custom = roundLr != null || roundEpochs != null || roundPatience != null || lambda != null
                    || teacher != null || stopping != null || maxRetentionDrop != null || weaklyKnown != null
                    || replayShare != null;
            List<Double> budgets = releasedBudget == null ? List.of() : List.copyOf(releasedBudget);
            for (double b : budgets) {
                if (b < 0 || b > 0.9) { // TrainerConfig's range
                    throw new CommandLine.ParameterException(spec().commandLine(), "--released-budget: 0 to 0.9, got " + b);
                }
            }
            if (names.isEmpty() && !custom) {
                // 'service' is the trainer's former defaults; released examples are measured with the current ones.
                names = List.of(budgets.isEmpty() ? RoundsExperiment.SERVICE.name() : RoundsExperiment.RECIPE.name());
            }
            for (String n : names) {
                if (n.equals("all")) {
                    list.addAll(RoundsExperiment.CATALOGUE.values());
                } else if (n.equals("factors")) {
                    list.addAll(RoundsExperiment.FACTORS);
                } else if (n.equals("combos")) {
                    list.addAll(RoundsExperiment.COMBOS);
                } else if (n.equals("around")) {
                    list.addAll(RoundsExperiment.AROUND);
                } else {
                    list.add(recipe(n));
                }
            }
            if (custom) {
                RoundsExperiment.Recipe c = recipe(customBase);
                if (roundLr != null) {
                    c = c.lr(roundLr);
                }
                if (roundEpochs != null || roundPatience != null) {
                    c = c.epochs(roundEpochs != null ? roundEpochs : c.epochs(), roundPatience != null ? roundPatience : c.patience());
                }
                if (lambda != null) {
                    c = c.lambda(lambda);
                }
                if (teacher != null) {
                    c = c.teacher(teacher);
                }
                if (stopping != null || maxRetentionDrop != null) {
                    c = c.stopping(stopping != null ? stopping : c.stopping(),
                            maxRetentionDrop != null ? maxRetentionDrop : c.maxRetentionDrop());
                }
                if (weaklyKnown != null) {
                    c = c.weaklyKnown(weaklyKnown);
                }
                if (replayShare != null) {
                    c = c.replay(replayShare);
                }
                list.add(c.named(customName, customBase + " changed by the command line"));
            }
            if (quick) { // a smoke run: two epochs at most
                list.replaceAll(r -> r.epochs(Math.min(r.epochs(), 2), Math.min(r.patience(), 2)));
            }
            List<String> m = modes == null || modes.isEmpty()
                    ? budgets.isEmpty() ? List.of("filtered", "unfiltered") : List.of("filtered") : modes;
            if (!budgets.isEmpty() && m.contains("unfiltered")) {
                throw new CommandLine.ParameterException(spec().commandLine(),
                        "--released-budget: released examples come from the quarantine, so filtered runs only");
            }
            if (budgets.stream().anyMatch(b -> b > 0) && list.stream().anyMatch(r -> r.lambda() <= 0)) {
                // The service refuses this too (TrainerService): new facts without self-distillation forget more.
                throw new CommandLine.ParameterException(spec().commandLine(),
                        "--released-budget above 0 needs self-distillation: every recipe's lambda above 0");
            }
            for (String mode : m) {
                if (!mode.equals("filtered") && !mode.equals("unfiltered")) {
                    throw new CommandLine.ParameterException(spec().commandLine(), "--modes: filtered or unfiltered, got " + mode);
                }
            }
            if (!List.of("off", "filtered", "on").contains(gate)) {
                throw new CommandLine.ParameterException(spec().commandLine(), "--gate: off, filtered or on, got " + gate);
            }
            RoundsExperiment.run(ctx, new RoundsExperiment.RoundsSettings(List.copyOf(list), List.copyOf(m), gate,
                    examples != null ? examples : quick ? 120 : 1200, minExamples != null ? minExamples : quick ? 40 : 200,
                    maxForgetting, name, budgets));
        }

        @CommandLine.Spec
        CommandLine.Model.CommandSpec roundsSpec;

        private CommandLine.Model.CommandSpec spec() {
            return roundsSpec;
        }

        private RoundsExperiment.Recipe recipe(String n) {
            RoundsExperiment.Recipe r = RoundsExperiment.CATALOGUE.get(n);
            if (r == null) {
                throw new CommandLine.ParameterException(roundsSpec.commandLine(), "unknown recipe '" + n + "' (one of "
                        + String.join(", ", RoundsExperiment.CATALOGUE.keySet()) + ", factors, combos, around, all)");
            }
            return r;
        }
    }

    /** The catalogue's recipe names, for --recipes' help. */
    static final class RecipeNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return RoundsExperiment.CATALOGUE.keySet().iterator();
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
