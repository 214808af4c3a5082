package dev.knowgate.tools.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.knowgate.contracts.Category;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.training.finetune.QaSequence;
import dev.knowgate.trainer.round.MixPolicy;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.round.RoundMixer;
import dev.knowgate.trainer.round.RoundPlan;
import dev.knowgate.world.Fact;
import dev.knowgate.world.WorldFiles;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The trainer service's continual rounds, simulated in one process with the service's own components, to
 * find out why its versions forget more than the library experiments' single rounds do.
 *
 * <p>The fact world's example stream (the first {@code examples} of finetune.jsonl, in stream order) arrives
 * one example at a time. Each is categorized with exact SliCK under the version live when it arrives
 * ({@link VersionSlick}: the version's ONNX export in a version folder, categorize-stream's protocol);
 * filtered runs quarantine Unknown examples as categorize-stream does, unfiltered runs accept all. As in
 * {@code RoundLoop}, a round starts as soon as {@code minExamples} trainable examples are pending;
 * {@link RoundMixer} makes its plan (categories, dev split, replay from the lineage's earlier training
 * sets) and {@link FineTuner} trains it from the parent version. Leftover examples make a last, smaller
 * round (the service's max-wait). After each round the candidate is measured:
 * <ul>
 *   <li><b>forgetting</b>: among the probes the base model answers correctly (plain question, greedy,
 *       teacher-forced exact match), the share the candidate answers wrongly;</li>
 *   <li><b>learned share</b>: among the MaybeKnown and WeaklyKnown facts (category at arrival) trained on along
 *       the candidate's promoted lineage (the new examples of every promoted round and its own, replays and
 *       dev splits excluded), the share it answers correctly on the plain question;</li>
 *   <li>probe accuracy, accuracy on the retention facts (the version's exemplars.jsonl facts), epochs.</li>
 * </ul>
 * With the gate on, a candidate that forgets more than {@code maxForgetting} is rejected: it does not go
 * live, and the next round trains from the last promoted version (its examples stay consumed, as in the
 * service). Without the gate every candidate is promoted.
 *
 * <p>With released budgets ({@code --released-budget}, filtered runs only), a curator releases every Unknown
 * example as soon as it is quarantined; each round admits the oldest released examples within the trainer's
 * budget ({@link ReleasedQueue}), trains them whatever their category (RoundMixer), and a rejected round's released
 * examples are released again for a later round. The run then reports how many released facts its final promoted
 * version learned ({@link Released}).
 */
final class RoundsExperiment {

    /** Whose output distribution self-distillation keeps a round close to. */
    enum Teacher {
        /** the round's parent, its own starting weights (the service) */
        PARENT,
        /** the lineage's base version, the same reference for every round */
        BASE
    }

    /** How a round picks the epoch it keeps. */
    enum Stopping {
        /** the service: dev split of the round's own new examples, best epoch by their accuracy, patience */
        OWN_DEV,
        /** every new example trained; best epoch by accuracy on the retention facts, patience */
        RETENTION_DEV,
        /** every new example trained; the latest epoch that lost at most maxRetentionDrop of the retention facts */
        GUARDED,
        /** every new example trained; every epoch runs, the last is kept */
        FIXED
    }

    /**
     * One way to train rounds.
     *
     * @param maxRetentionDrop GUARDED: the share of retention facts an epoch may lose
     * @param weaklyKnown      whether filtered runs train on WeaklyKnown examples (unfiltered runs take all four)
     */
    record Recipe(String name, String description, float lr, int epochs, int patience, double lambda,
                  Teacher teacher, Stopping stopping, double maxRetentionDrop, boolean weaklyKnown,
                  double replayShare) {

        Recipe named(String n, String d) {
            return new Recipe(n, d, lr, epochs, patience, lambda, teacher, stopping, maxRetentionDrop, weaklyKnown,
                    replayShare);
        }

        Recipe lr(float v) {
            return new Recipe(name, description, v, epochs, patience, lambda, teacher, stopping, maxRetentionDrop,
                    weaklyKnown, replayShare);
        }

        Recipe epochs(int e, int p) {
            return new Recipe(name, description, lr, e, p, lambda, teacher, stopping, maxRetentionDrop, weaklyKnown,
                    replayShare);
        }

        Recipe lambda(double v) {
            return new Recipe(name, description, lr, epochs, patience, v, teacher, stopping, maxRetentionDrop,
                    weaklyKnown, replayShare);
        }

        Recipe teacher(Teacher t) {
            return new Recipe(name, description, lr, epochs, patience, lambda, t, stopping, maxRetentionDrop,
                    weaklyKnown, replayShare);
        }

        Recipe stopping(Stopping s, double drop) {
            return new Recipe(name, description, lr, epochs, patience, lambda, teacher, s, drop, weaklyKnown,
                    replayShare);
        }

        Recipe weaklyKnown(boolean w) {
            return new Recipe(name, description, lr, epochs, patience, lambda, teacher, stopping, maxRetentionDrop, w,
                    replayShare);
        }

        Recipe replay(double share) {
            return new Recipe(name, description, lr, epochs, patience, lambda, teacher, stopping, maxRetentionDrop,
                    weaklyKnown, share);
        }

        /** The round's mix: filtered runs train on the Known categories (without WeaklyKnown if so chosen). */
        MixPolicy policy(boolean filtered) {
            Set<Category> categories = filtered
                    ? weaklyKnown ? EnumSet.of(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN)
                    : EnumSet.of(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN)
                    : EnumSet.allOf(Category.class);
            return new MixPolicy(categories, Map.of(), replayShare, stopping == Stopping.OWN_DEV ? DEV_SHARE : 0);
        }

        String settings() {
            return String.format(Locale.ROOT, "lr %s, epochs %d, patience %d, lambda %s, teacher %s, stopping %s%s, %s, replay %s",
                    lr, epochs, patience, lambda, teacher.name().toLowerCase(Locale.ROOT), stopping.name().toLowerCase(Locale.ROOT),
                    stopping == Stopping.GUARDED ? " " + maxRetentionDrop : "", weaklyKnown ? "HK+MK+WK" : "HK+MK",
                    replayShare);
        }
    }

    /** The service's dev share (TrainerConfig round.dev-share). */
    static final double DEV_SHARE = 0.1;

    /** The trainer's defaults (TrainerConfig): the starting point every factor is varied from. */
    static final Recipe SERVICE = new Recipe("service", "the trainer service's defaults", 1e-3f, 8, 2, 1.0,
            Teacher.PARENT, Stopping.OWN_DEV, 0, true, 0.1);

    /** One factor at a time against the service ({@code --recipes factors}). */
    static final List<Recipe> FACTORS = List.of(
            SERVICE,
            SERVICE.lr(3e-4f).named("lr-3e-4", "learning rate 3e-4 (the experiments')"),
            SERVICE.lr(1e-4f).named("lr-1e-4", "learning rate 1e-4"),
            SERVICE.teacher(Teacher.BASE).named("teacher-base", "self-distillation teacher: the lineage's base"),
            SERVICE.stopping(Stopping.RETENTION_DEV, 0).named("stop-retention",
                    "early stopping on the retention facts (exemplars), all new examples trained"),
            SERVICE.stopping(Stopping.GUARDED, 0.02).named("stop-guarded",
                    "latest epoch losing at most 2% of the retention facts, all new examples trained"),
            SERVICE.epochs(4, 1).named("epochs-4-patience-1", "at most 4 epochs, patience 1"),
            SERVICE.epochs(15, 4).named("epochs-15-patience-4", "at most 15 epochs, patience 4"),
            SERVICE.weaklyKnown(false).named("no-weakly", "filtered rounds without WeaklyKnown"),
            SERVICE.replay(0).named("replay-0", "no replay"),
            SERVICE.replay(0.3).named("replay-0.3", "replay share 0.3"),
            SERVICE.lambda(0).named("lambda-0", "no self-distillation"),
            SERVICE.lambda(3).named("lambda-3", "self-distillation lambda 3"));

    /** The learning rate that stops the forgetting, combined with ways to learn more ({@code --recipes combos}). */
    static final List<Recipe> COMBOS = combos();

    private static List<Recipe> combos() {
        Recipe slow = SERVICE.lr(3e-4f);
        Recipe slower = SERVICE.lr(1e-4f);
        return List.of(
                slow.stopping(Stopping.FIXED, 0).epochs(4, 1).named("lr-3e-4-fixed-4", "lr 3e-4, 4 epochs, all trained"),
                slow.stopping(Stopping.FIXED, 0).named("lr-3e-4-fixed-8", "lr 3e-4, 8 epochs, all trained"),
                slow.stopping(Stopping.GUARDED, 0.02).named("lr-3e-4-guarded", "lr 3e-4, retention guard 2%"),
                slow.stopping(Stopping.GUARDED, 0.02).teacher(Teacher.BASE)
                        .named("lr-3e-4-guarded-base", "lr 3e-4, retention guard 2%, teacher base"),
                slow.stopping(Stopping.GUARDED, 0.02).replay(0.3)
                        .named("lr-3e-4-guarded-replay-0.3", "lr 3e-4, retention guard 2%, replay 0.3"),
                slower.stopping(Stopping.FIXED, 0).named("lr-1e-4-fixed-8", "lr 1e-4, 8 epochs, all trained"),
                slower.stopping(Stopping.FIXED, 0).epochs(15, 2).named("lr-1e-4-fixed-15", "lr 1e-4, 15 epochs, all trained"),
                slower.stopping(Stopping.GUARDED, 0.02).epochs(15, 2)
                        .named("lr-1e-4-guarded-15", "lr 1e-4, at most 15 epochs, retention guard 2%"));
    }

    /**
     * The recommended defaults, from the factor study and the combinations: learning rate 1e-4, 8 epochs with
     * every new example trained and the last epoch kept (round.dev-share 0: no early stopping on the round's own
     * examples), self-distillation lambda 1 from the parent, HighlyKnown+MaybeKnown+WeaklyKnown, replay 0.1.
     */
    static final Recipe RECIPE = SERVICE.lr(1e-4f).stopping(Stopping.FIXED, 0)
            .named("recipe", "lr 1e-4, 8 epochs, every new example trained, last epoch kept");

    /** One factor at a time against the recipe ({@code --recipes around}). */
    static final List<Recipe> AROUND = List.of(
            RECIPE,
            RECIPE.lr(3e-4f).named("recipe-lr-3e-4", "the recipe at lr 3e-4"),
            RECIPE.epochs(4, 2).named("recipe-epochs-4", "the recipe with 4 epochs"),
            RECIPE.epochs(15, 2).named("recipe-epochs-15", "the recipe with 15 epochs"),
            RECIPE.stopping(Stopping.OWN_DEV, 0).named("recipe-own-dev",
                    "the recipe with the service's early stopping (10% of the round's examples, patience 2)"),
            RECIPE.stopping(Stopping.GUARDED, 0.02).named("recipe-guarded",
                    "the recipe with a retention guard: the latest epoch losing at most 2% of the exemplars"),
            RECIPE.teacher(Teacher.BASE).named("recipe-teacher-base", "the recipe distilling from the base"),
            RECIPE.lambda(0).named("recipe-lambda-0", "the recipe without self-distillation"),
            RECIPE.replay(0).named("recipe-replay-0", "the recipe without replay"),
            RECIPE.replay(0.3).named("recipe-replay-0.3", "the recipe with replay 0.3"),
            RECIPE.weaklyKnown(false).named("recipe-no-weakly", "the recipe without WeaklyKnown (filtered)"));

    /** Every named recipe. */
    static final Map<String, Recipe> CATALOGUE = catalogue();

    private static Map<String, Recipe> catalogue() {
        Map<String, Recipe> c = new LinkedHashMap<>();
        FACTORS.forEach(r -> c.put(r.name(), r));
        COMBOS.forEach(r -> c.put(r.name(), r));
        AROUND.forEach(r -> c.put(r.name(), r));
        return java.util.Collections.unmodifiableMap(c);
    }

    /**
     * The rounds experiment's own settings.
     *
     * @param recipes       recipes to run (catalogue names or the custom one)
     * @param modes         "filtered" and/or "unfiltered"
     * @param gate          "off", "filtered" (filtered runs only: the targets' setting) or "on"
     * @param examples      stream examples pushed
     * @param minExamples   trainable examples that start a round
     * @param maxForgetting the gate's threshold
     * @param name          results file name (without extension)
     * @param releasedBudgets the trainer's released budgets to run each recipe at (filtered runs); empty: no
     *                        example is released
     */
    record RoundsSettings(List<Recipe> recipes, List<String> modes, String gate, int examples, int minExamples,
                          double maxForgetting, String name, List<Double> releasedBudgets) {
    }

    /**
     * A run's released examples: every quarantined Unknown example, released by a curator at once.
     *
     * @param budget           the trainer's budget (share of a round's trainable examples)
     * @param released         examples released, each counted once
     * @param admittedByRound  released examples each round trained on, rejected rounds included
     * @param returned         released examples rejected rounds gave back (released again)
     * @param waiting          released examples still queued when the stream ended: never trained by a promoted round
     * @param inLineage        released facts the final promoted version's lineage trained on (= released - waiting)
     * @param learned          of those, the facts the final promoted version answers (greedy, plain question)
     * @param learnedShare     learned / inLineage (0 when the lineage trained on none)
     * @param learnedWhenTrained of those, the facts the version that trained them answered right after its round:
     *                         against {@code learned}, what later rounds made the lineage forget of them
     * @param baseAnswered     of those, the facts the base already answered that way (Unknown is judged with few-shot
     *                         prompts and sampling, this with the plain question: the two can differ)
     */
    record Released(double budget, int released, List<Integer> admittedByRound, int returned, int waiting,
                    int inLineage, int learned, double learnedShare, int learnedWhenTrained, int baseAnswered) {
    }

    /** Released examples over a summary's seeds. */
    record ReleasedSummary(double budget, Spread released, Spread inLineage, Spread learned, Spread learnedShare,
                           Spread learnedWhenTrained, Spread baseAnswered, Spread waiting, Spread returned) {
    }

    /** One round of a run, measured on its candidate. */
    record RoundRow(int round, String parent, String version, boolean promoted, boolean flush,
                    Map<String, Integer> newByCategory, int trainNew, int dev, int replayed, int epochsRun,
                    int bestEpoch, double devBefore, double devBest, double trainFit, double forgetting,
                    double probeAccuracy, double retentionAccuracy, double learnedRound, int learnedRoundFacts,
                    double learnedLineage, int learnedLineageFacts, double unknownLearnedLineage,
                    int unknownLineageFacts, int skippedSteps, double seconds) {

        RoundRow decided(boolean promote) {
            return new RoundRow(round, parent, version, promote, flush, newByCategory, trainNew, dev, replayed,
                    epochsRun, bestEpoch, devBefore, devBest, trainFit, forgetting, probeAccuracy, retentionAccuracy,
                    learnedRound, learnedRoundFacts, learnedLineage, learnedLineageFacts, unknownLearnedLineage,
                    unknownLineageFacts, skippedSteps, seconds);
        }
    }

    /**
     * One pass of the stream.
     *
     * @param finalVersion       the live version at the end (the last promoted one)
     * @param maxForgetting      the highest forgetting of any promoted version
     * @param learned            the final version's learned share (0 when nothing was trained along its lineage)
     * @param arrivals           examples by category at arrival (under the version live then)
     */
    record Run(String recipe, String mode, boolean gate, long seed, List<RoundRow> rounds, int promoted, int rejected,
               String finalVersion, double finalForgetting, double maxForgetting, double finalProbeAccuracy,
               double finalRetention, double learned, int learnedFacts, double unknownLearned,
               Map<String, Integer> arrivals, int quarantined, int tooLong, double seconds,
               @JsonInclude(JsonInclude.Include.NON_NULL) Released released) {
    }

    record Summary(String recipe, String settings, String mode, boolean gate, Spread finalForgetting,
                   Spread maxForgetting, Spread learned, Spread learnedFacts, Spread probeAccuracy, Spread retention,
                   Spread rounds, Spread promoted, Spread epochsPerRound, List<Spread> forgettingByRound,
                   @JsonInclude(JsonInclude.Include.NON_NULL) ReleasedSummary released) {
    }

    record Result(String experiment, Map<String, Object> config, int probes, int baseCorrectProbes,
                  double baseProbeAccuracy, double baseRetention, List<Recipe> recipes, List<Run> runs,
                  List<Summary> summary, double wallSeconds) {
    }

    private RoundsExperiment() {
    }

    static Result run(ExperimentContext ctx, RoundsSettings rs) throws Exception {
        if (!rs.releasedBudgets().isEmpty() && rs.modes().contains("unfiltered")) {
            throw new IllegalArgumentException("released examples come from the quarantine: filtered runs only");
        }
        long t0 = System.nanoTime();
        Settings s = ctx.settings;
        List<Fact> stream = WorldFiles.finetuneStream(ctx.world);
        stream = stream.subList(0, Math.min(rs.examples(), stream.size()));
        // The retention facts: the version's exemplars.jsonl (the world's dev facts): known, never trained on.
        List<Fact> retention = ctx.world.dev();
        List<Fact> baseCorrect = new ArrayList<>();
        double baseProbes;
        double baseRetention;
        try (ExperimentContext.Scorer base = ctx.scorer(ctx.start)) {
            boolean[] right = base.correct(ctx.qa(ctx.probes));
            for (int i = 0; i < right.length; i++) {
                if (right[i]) {
                    baseCorrect.add(ctx.probes.get(i));
                }
            }
            baseProbes = base.accuracy(ctx.qa(ctx.probes));
            baseRetention = base.accuracy(ctx.qa(retention));
        }
        System.out.printf(Locale.ROOT, "rounds: %d stream examples, rounds of %d trainable, %d probes (%d right under the base), "
                        + "%d retention facts (base accuracy %.3f), gate %s at %.3f%n", stream.size(), rs.minExamples(),
                ctx.probes.size(), baseCorrect.size(), retention.size(), baseRetention, rs.gate(), rs.maxForgetting());
        List<Run> runs = new ArrayList<>();
        try (VersionSlick baseSlick = VersionSlick.of(ctx.folder, s.threads())) {
            if (sameExemplars(ctx)) {
                baseSlick.preload(ctx.categories); // the experiments' cached verdicts: same model, exemplars, protocol
            }
            Sim sim = new Sim(ctx, rs, stream, retention, baseCorrect, baseSlick);
            for (Recipe recipe : rs.recipes()) {
                for (String mode : rs.modes()) {
                    boolean filtered = mode.equals("filtered");
                    boolean gate = rs.gate().equals("on") || (rs.gate().equals("filtered") && filtered);
                    for (Double budget : budgets(rs)) {
                        for (long seed : s.seeds()) {
                            Run run = sim.run(recipe, filtered, gate, seed, budget);
                            runs.add(run);
                            System.out.print(MarkdownTables.roundsRun(run));
                        }
                    }
                }
            }
        }
        List<Summary> summary = summarize(rs.recipes(), budgets(rs), runs);
        Map<String, Object> config = ctx.config(false);
        config.put("examples", stream.size());
        config.put("minExamples", rs.minExamples());
        config.put("devShare", DEV_SHARE);
        config.put("gate", rs.gate());
        config.put("maxForgetting", rs.maxForgetting());
        config.put("modes", rs.modes());
        config.put("retentionFacts", retention.size());
        if (!rs.releasedBudgets().isEmpty()) {
            config.put("releasedBudgets", rs.releasedBudgets());
            config.put("released", "every quarantined Unknown example, released at once; FIFO within ReleaseBudget.admits, "
                    + "a rejected round's released examples released again");
        }
        config.put("slick", "exact, K 10, S 4, N 16, T 0.5, top-k 40, found threshold 0.5 (categorize-stream's defaults)");
        double wall = (System.nanoTime() - t0) / 1e9;
        Result result = new Result("rounds", config, ctx.probes.size(), baseCorrect.size(), baseProbes, baseRetention,
                rs.recipes(), runs, summary, wall);
        ctx.write(rs.name(), result, MarkdownTables.rounds(result));
        System.out.printf(Locale.ROOT, "rounds: %.1f s%n", wall);
        return result;
    }

    /** Whether the base folder's exemplars.jsonl is the world's dev set, which the cached categories were made with. */
    private static boolean sameExemplars(ExperimentContext ctx) throws Exception {
        List<Exemplar> file = ExemplarFile.read(ctx.folder.file(ExemplarFile.FILE_NAME));
        List<Exemplar> world = ctx.world.dev().stream()
                .map(f -> new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer())).toList();
        return file.equals(world);
    }

    /** The released budgets a recipe runs at: null alone when nothing is released. */
    private static List<Double> budgets(RoundsSettings rs) {
        return rs.releasedBudgets().isEmpty() ? java.util.Collections.singletonList(null) : rs.releasedBudgets();
    }

    private static Double budget(Run run) {
        return run.released() == null ? null : run.released().budget();
    }

    private static List<Summary> summarize(List<Recipe> recipes, List<Double> budgets, List<Run> runs) {
        List<Summary> out = new ArrayList<>();
        for (Recipe r : recipes) {
            for (String mode : List.of("filtered", "unfiltered")) {
                for (boolean gate : List.of(true, false)) {
                    for (Double budget : budgets) {
                        List<Run> rs = runs.stream()
                                .filter(x -> x.recipe().equals(r.name()) && x.mode().equals(mode) && x.gate() == gate
                                        && java.util.Objects.equals(budget(x), budget)).toList();
                        if (rs.isEmpty()) {
                            continue;
                        }
                        int maxRounds = rs.stream().mapToInt(x -> x.rounds().size()).max().orElse(0);
                        List<Spread> byRound = new ArrayList<>();
                        for (int i = 0; i < maxRounds; i++) {
                            int k = i;
                            byRound.add(Spread.of(rs.stream().filter(x -> x.rounds().size() > k)
                                    .map(x -> x.rounds().get(k).forgetting()).toList()));
                        }
                        out.add(new Summary(r.name(), r.settings(), mode, gate,
                                Spread.of(rs.stream().map(Run::finalForgetting).toList()),
                                Spread.of(rs.stream().map(Run::maxForgetting).toList()),
                                Spread.of(rs.stream().map(Run::learned).toList()),
                                Spread.of(rs.stream().map(Run::learnedFacts).toList()),
                                Spread.of(rs.stream().map(Run::finalProbeAccuracy).toList()),
                                Spread.of(rs.stream().map(Run::finalRetention).toList()),
                                Spread.of(rs.stream().map(x -> x.rounds().size()).toList()),
                                Spread.of(rs.stream().map(Run::promoted).toList()),
                                Spread.of(rs.stream().flatMap(x -> x.rounds().stream()).map(RoundRow::epochsRun).toList()),
                                byRound, budget == null ? null : released(budget, rs.stream().map(Run::released).toList())));
                    }
                }
            }
        }
        return out;
    }

    private static ReleasedSummary released(double budget, List<Released> rs) {
        return new ReleasedSummary(budget, Spread.of(rs.stream().map(Released::released).toList()),
                Spread.of(rs.stream().map(Released::inLineage).toList()),
                Spread.of(rs.stream().map(Released::learned).toList()),
                Spread.of(rs.stream().map(Released::learnedShare).toList()),
                Spread.of(rs.stream().map(Released::learnedWhenTrained).toList()),
                Spread.of(rs.stream().map(Released::baseAnswered).toList()),
                Spread.of(rs.stream().map(Released::waiting).toList()),
                Spread.of(rs.stream().map(Released::returned).toList()));
    }

    /** One simulated trainer; {@link #run} passes the stream once. */
    private static final class Sim {
        private final ExperimentContext ctx;
        private final RoundsSettings rs;
        private final List<Fact> stream;
        private final List<QaSequence> retentionQa;
        private final List<Fact> retention;
        private final List<Fact> baseCorrect;
        private final VersionSlick baseSlick;
        private final Map<String, Fact> byExampleId = new HashMap<>();

        Sim(ExperimentContext ctx, RoundsSettings rs, List<Fact> stream, List<Fact> retention, List<Fact> baseCorrect,
            VersionSlick baseSlick) {
            this.ctx = ctx;
            this.rs = rs;
            this.stream = stream;
            this.retention = retention;
            this.retentionQa = ctx.qa(retention);
            this.baseCorrect = baseCorrect;
            this.baseSlick = baseSlick;
            stream.forEach(f -> byExampleId.put(f.toExample().id(), f));
        }

        /** A version of the run: weights, and what its lineage trained on (new examples, at arrival category). */
        private record Version(String key, GptWeights weights, List<RoundExample> lineageNew, VersionSlick slick) {
        }

        /** @param budget the trainer's released budget; null: nothing is released */
        Run run(Recipe recipe, boolean filtered, boolean gate, long seed, Double budget) throws Exception {
            long t0 = System.nanoTime();
            String mode = filtered ? "filtered" : "unfiltered";
            System.out.printf(Locale.ROOT, "%n== %s (%s), %s, gate %s%s, seed %d ==%n", recipe.name(), recipe.settings(), mode,
                    gate ? "on" : "off", budget == null ? "" : ", released budget " + budget, seed);
            // Only quarantined examples can be released: an unfiltered run quarantines none.
            ReleasedQueue queue = budget != null && filtered ? new ReleasedQueue(budget) : null;
            List<Integer> admittedByRound = new ArrayList<>();
            int[] learnedWhenTrained = {0};
            MixPolicy policy = recipe.policy(filtered);
            RoundMixer mixer = new RoundMixer(policy);
            FineTuneConfig config = new FineTuneConfig(recipe.epochs(), ctx.settings.batchSize(), recipe.lr(), 0f,
                    recipe.lambda(), FrozenGroups.none(), recipe.patience(), seed);
            Version base = new Version("v1", ctx.start, List.of(), baseSlick);
            State st = new State(base);
            List<RoundExample> pending = new ArrayList<>();
            Map<String, Integer> arrivals = new LinkedHashMap<>();
            int quarantined = 0;
            int tooLong = 0;
            try {
                int i = 0;
                while (i < stream.size()) {
                    // Categorize the next micro-batch under the live version; after a round that changed the
                    // live version, the rest of the batch is categorized again under the new one.
                    int from = i;
                    int to = Math.min(stream.size(), from + 32);
                    Version categorizedBy = st.live;
                    List<Category> verdicts = categorizedBy.slick().categorize(stream.subList(from, to));
                    for (int j = from; j < to && st.live == categorizedBy; j++) {
                        i = j + 1;
                        Fact f = stream.get(j);
                        Category c = verdicts.get(j - from);
                        if (c == null) {
                            tooLong++; // categorize-stream rejects it: its prompts do not fit the model
                            continue;
                        }
                        arrivals.merge(c.wireName(), 1, Integer::sum);
                        if (filtered && c == Category.UNKNOWN) {
                            quarantined++; // categorize-stream routes it to examples.quarantined
                            if (queue != null) { // the curator releases it at once: it goes to training as Unknown
                                queue.release(new RoundExample(f.toExample().id(), f.question(), f.answer(),
                                        f.relation().name(), c, false, true));
                            }
                            continue;
                        }
                        pending.add(new RoundExample(f.toExample().id(), f.question(), f.answer(), f.relation().name(),
                                c, false));
                        // Released examples do not start a round (RoundLoop counts the others): they go with one.
                        if (trainable(pending, policy) >= rs.minExamples()) {
                            roundOf(st, recipe, mixer, config, base, pending, queue, admittedByRound, learnedWhenTrained, seed,
                                    false, gate);
                            pending.clear();
                        }
                    }
                }
                if (trainable(pending, policy) > 0) { // the service's max-wait: a last, smaller round
                    roundOf(st, recipe, mixer, config, base, pending, queue, admittedByRound, learnedWhenTrained, seed,
                            true, gate);
                    pending.clear();
                }
            } finally {
                closeIfRun(st.live);
            }
            int promoted = (int) st.rows.stream().filter(RoundRow::promoted).count();
            int rejected = st.rows.size() - promoted;
            double maxForgetting = st.rows.stream().filter(RoundRow::promoted).mapToDouble(RoundRow::forgetting)
                    .max().orElse(0);
            List<RoundRow> rows = st.rows;
            Version live = st.live;
            RoundRow lastPromoted = st.lastPromoted;
            double seconds = (System.nanoTime() - t0) / 1e9;
            RoundRow f = lastPromoted;
            Released released = queue == null ? null : released(queue, admittedByRound, learnedWhenTrained[0], live);
            return new Run(recipe.name(), mode, gate, seed, List.copyOf(rows), promoted, rejected, live.key(),
                    f == null ? 0 : f.forgetting(), maxForgetting,
                    f == null ? baseCorrect.size() / (double) ctx.probes.size() : f.probeAccuracy(),
                    f == null ? Double.NaN : f.retentionAccuracy(), f == null ? 0 : f.learnedLineage(),
                    f == null ? 0 : f.learnedLineageFacts(), f == null ? 0 : f.unknownLearnedLineage(), arrivals,
                    quarantined, tooLong, seconds, released);
        }

        /**
         * One round with the released examples its budget admits (none without a queue), decided by the gate; a
         * rejected round's released examples go back to the queue, as the trainer returns them to the quarantine.
         */
        private void roundOf(State st, Recipe recipe, RoundMixer mixer, FineTuneConfig config, Version base,
                             List<RoundExample> pending, ReleasedQueue queue, List<Integer> admittedByRound,
                             int[] learnedWhenTrained, long seed, boolean flush, boolean gate) throws Exception {
            List<RoundExample> admitted = queue == null ? List.of()
                    : queue.admit((int) trainable(pending, mixer.policy()));
            List<RoundExample> consumed = new ArrayList<>(pending);
            consumed.addAll(admitted);
            RoundOutcome o = round(recipe, mixer, config, base, st.live, consumed, st.rows.size() + 1, ++st.versions,
                    seed, flush);
            int learnedNow = count(o.weights(), admitted.stream().map(e -> byExampleId.get(e.id())).toList());
            boolean promoted = decide(st, o, gate);
            if (queue != null) {
                admittedByRound.add(admitted.size());
                if (promoted) {
                    learnedWhenTrained[0] += learnedNow;
                } else {
                    queue.returned(admitted);
                }
            }
        }

        /** What the final promoted version learned of the released facts its lineage trained on. */
        private Released released(ReleasedQueue queue, List<Integer> admittedByRound, int learnedWhenTrained,
                                  Version live) throws Exception {
            List<Fact> trained = live.lineageNew().stream().filter(e -> e.released() && !e.replay())
                    .map(e -> byExampleId.get(e.id())).toList();
            int learned = count(live.weights(), trained);
            int baseAnswered = count(ctx.start, trained);
            return new Released(queue.share(), queue.released(), List.copyOf(admittedByRound), queue.returnedCount(),
                    queue.waiting(), trained.size(), learned, trained.isEmpty() ? 0 : learned / (double) trained.size(),
                    learnedWhenTrained, baseAnswered);
        }

        private int count(GptWeights weights, List<Fact> facts) throws Exception {
            if (facts.isEmpty()) {
                return 0;
            }
            int n = 0;
            try (ExperimentContext.Scorer sc = ctx.scorer(weights)) {
                for (boolean right : sc.correct(ctx.qa(facts))) {
                    n += right ? 1 : 0;
                }
            }
            return n;
        }

        /** The run's moving parts: the live version (the last promoted), the rounds so far. */
        private static final class State {
            Version live;
            RoundRow lastPromoted;
            long versions = 1;
            final List<RoundRow> rows = new ArrayList<>();

            State(Version base) {
                this.live = base;
            }
        }

        /** The gate: a candidate that forgets too much is rejected and the live version stays. Returns whether it went live. */
        private boolean decide(State st, RoundOutcome o, boolean gate) throws Exception {
            boolean promote = !gate || o.row().forgetting() <= rs.maxForgetting();
            RoundRow row = o.row().decided(promote);
            st.rows.add(row);
            if (promote) { // it goes live: later arrivals are categorized under it
                VersionSlick slick = VersionSlick.of(ctx.folder, o.weights(), "knowgate-rounds", st.versions,
                        ctx.settings.threads());
                closeIfRun(st.live);
                st.live = new Version(row.version(), o.weights(), o.lineageNew(), slick);
                st.lastPromoted = row;
            }
            return promote;
        }

        private void closeIfRun(Version v) throws Exception {
            if (v.slick() != baseSlick) {
                v.slick().close();
            }
        }

        private static long trainable(List<RoundExample> pending, MixPolicy policy) {
            return pending.stream().filter(e -> policy.categories().contains(e.category())).count();
        }

        private record RoundOutcome(RoundRow row, GptWeights weights, List<RoundExample> lineageNew) {
        }

        private RoundOutcome round(Recipe recipe, RoundMixer mixer, FineTuneConfig config, Version base, Version parent,
                                   List<RoundExample> consumed, int number, long version, long seed, boolean flush)
                throws Exception {
            long t0 = System.nanoTime();
            // The replay pool: the new training examples of the parent's lineage, its last 20 versions' worth
            // (RoundRunner reads the registry's training sets; a lineage here holds only promoted rounds).
            RoundPlan plan = mixer.plan(List.copyOf(consumed), parent.lineageNew(), "round-" + seed + "-" + number);
            List<RoundExample> newTrain = plan.train().stream().filter(e -> !e.replay()).toList();
            List<QaSequence> train = plan.train().stream().map(e -> ctx.qa(byExampleId.get(e.id()))).toList();
            List<QaSequence> dev = switch (recipe.stopping()) {
                case OWN_DEV -> plan.dev().stream().map(e -> ctx.qa(byExampleId.get(e.id()))).toList();
                case RETENTION_DEV -> retentionQa;
                case GUARDED, FIXED -> List.of();
            };
            FineTuner.Retention guard = recipe.stopping() == Stopping.GUARDED
                    ? new FineTuner.Retention(retentionQa, recipe.maxRetentionDrop()) : null;
            GptWeights teacher = recipe.teacher() == Teacher.BASE ? base.weights() : parent.weights();
            FineTuner.Result<GptWeights> r = ctx.counted(new FineTuner(config).run(parent.weights(), teacher, train, dev, guard));
            List<RoundExample> lineage = new ArrayList<>(parent.lineageNew());
            lineage.addAll(newTrain);
            List<Fact> roundMkWk = facts(newTrain, EnumSet.of(Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN));
            List<Fact> lineageMkWk = facts(lineage, EnumSet.of(Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN));
            List<Fact> lineageUnknown = facts(lineage, EnumSet.of(Category.UNKNOWN));
            double forgetting;
            double probes;
            double kept;
            double learnedRound;
            double learnedLineage;
            double unknownLearned;
            double fit;
            try (ExperimentContext.Scorer sc = ctx.scorer(r.weights())) {
                forgetting = baseCorrect.isEmpty() ? 0 : 1 - sc.accuracy(ctx.qa(baseCorrect));
                probes = sc.accuracy(ctx.qa(ctx.probes));
                kept = sc.accuracy(retentionQa);
                learnedRound = sc.accuracy(ctx.qa(roundMkWk));
                learnedLineage = sc.accuracy(ctx.qa(lineageMkWk));
                unknownLearned = sc.accuracy(ctx.qa(lineageUnknown));
                fit = sc.accuracy(ctx.qa(facts(newTrain, EnumSet.allOf(Category.class))));
            }
            String key = "v" + version;
            Map<String, Integer> byCategory = new LinkedHashMap<>();
            new EnumMap<>(plan.byCategory()).forEach((c, n) -> byCategory.put(c.wireName(), n));
            RoundRow row = new RoundRow(number, parent.key(), key, true, flush, byCategory, newTrain.size(),
                    plan.dev().size(), plan.replayed(), r.epochs().size(), r.bestEpoch(), r.devAccuracyBefore(),
                    r.bestDevAccuracy(), fit, forgetting, probes, kept, learnedRound, roundMkWk.size(), learnedLineage,
                    lineageMkWk.size(), unknownLearned, lineageUnknown.size(), r.skippedSteps(),
                    (System.nanoTime() - t0) / 1e9);
            return new RoundOutcome(row, r.weights(), List.copyOf(lineage));
        }

        private List<Fact> facts(List<RoundExample> examples, Set<Category> categories) {
            return examples.stream().filter(e -> categories.contains(e.category()))
                    .map(e -> byExampleId.get(e.id())).toList();
        }
    }
}
