package dev.knowgate.tools.experiments;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.knowgate.contracts.Category;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.training.finetune.QaSequence;
import dev.knowgate.training.gpt.DjlGpt;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the three experiments share: the base model's weights and tokenizer, the standard fact world
 * (seed 42), the SliCK category of every pool fact and probe under the base model, the fixed held-out
 * splits, and fine-tuning and evaluation with the project's own {@link FineTuner}.
 *
 * <p>Held-out splits (fixed, independent of the experiment seeds): {@code poolTest} ({@link Settings#poolTestSize}
 * pool facts of any category, a Gekhman-style mixed test set) and {@code dev} ({@link Settings#devSize} Known pool
 * facts, the early-stopping split). Training sets are drawn, per seed, from the rest of the pool only.
 */
final class ExperimentContext implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Seed of the fixed held-out splits (not one of the repeat seeds). */
    static final long SPLIT_SEED = 20240501L;

    final Settings settings;
    final ModelFolder folder;
    final GptWeights start;
    final FactWorld world;
    final ModelTokenizer tokenizer;
    /** Category under the base model, by fact id (pool facts and probes that fit the model). */
    final Map<String, Category> categories;
    final List<Fact> poolTest;
    final List<Fact> dev;
    /** Pool facts free for training, by category. */
    final Map<Category, List<Fact>> trainable = new EnumMap<>(Category.class);
    final List<Fact> probes;
    private final Map<String, QaSequence> sequences = new HashMap<>();
    private final String promptTemplate;
    private final String terminator;
    private int skippedSteps;

    private ExperimentContext(Settings settings, ModelFolder folder, GptWeights start, FactWorld world,
                              ModelTokenizer tokenizer, Map<String, Category> categories, List<Fact> pool,
                              List<Fact> probes) {
        this.settings = settings;
        this.folder = folder;
        this.start = start;
        this.world = world;
        this.tokenizer = tokenizer;
        this.categories = categories;
        this.probes = probes;
        this.promptTemplate = folder.manifest().promptTemplate();
        this.terminator = folder.manifest().answerTerminator();
        List<Fact> categorized = new ArrayList<>(pool.stream().filter(f -> categories.containsKey(f.id())).toList());
        shuffle(categorized, new SplittableRandom(SPLIT_SEED));
        int testSize = Math.min(settings.poolTestSize(), categorized.size() / 4);
        this.poolTest = List.copyOf(categorized.subList(0, testSize));
        List<Fact> rest = categorized.subList(testSize, categorized.size());
        List<Fact> devFacts = new ArrayList<>();
        for (Category c : Category.values()) {
            trainable.put(c, new ArrayList<>());
        }
        for (Fact f : rest) {
            Category c = categories.get(f.id());
            if (c != Category.UNKNOWN && devFacts.size() < settings.devSize()) {
                devFacts.add(f);
            } else {
                trainable.get(c).add(f);
            }
        }
        this.dev = List.copyOf(devFacts);
    }

    static ExperimentContext open(Settings settings) throws Exception {
        Engine.getEngine("PyTorch"); // loads the native library the thread setting goes to
        DjlGpt.setTorchThreads(settings.threads());
        ModelFolder folder = ModelFolder.open(settings.model());
        GptWeights start = GptOnnxReader.readWeights(folder.file(OnnxCausalLm.MODEL_FILE));
        FactWorld world = FactWorld.generate(WorldConfig.standard(42L));
        List<Fact> pool = world.finetunePool().subList(0, Math.min(settings.poolLimit(), world.finetunePool().size()));
        List<Fact> probes = world.probes().subList(0, Math.min(settings.probeLimit(), world.probes().size()));
        List<Fact> all = new ArrayList<>(pool);
        all.addAll(probes);
        Map<String, Category> categories = SlickCategories.of(folder, world, "standard/42", all, settings.threads(),
                settings.out().resolve("slick-categories.json"));
        ModelTokenizer tokenizer = ModelTokenizer.load(folder);
        return new ExperimentContext(settings, folder, start, world, tokenizer, categories, pool, probes);
    }

    /** The fine-tuning sequence of a fact: its plain question in the model's prompt template, its answer. */
    QaSequence qa(Fact f) {
        return sequences.computeIfAbsent(f.id(),
                id -> QaSequence.of(tokenizer, promptTemplate, terminator, f.question(), f.answer()));
    }

    List<QaSequence> qa(List<Fact> facts) {
        return facts.stream().map(this::qa).toList();
    }

    /** A copy of {@code facts} in the order of a seeded shuffle. */
    static List<Fact> shuffled(List<Fact> facts, long seed) {
        List<Fact> copy = new ArrayList<>(facts);
        shuffle(copy, new SplittableRandom(seed));
        return copy;
    }

    private static <T> void shuffle(List<T> items, SplittableRandom random) {
        for (int i = items.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T tmp = items.get(i);
            items.set(i, items.get(j));
            items.set(j, tmp);
        }
    }

    /** Plain fine-tuning with early stopping on the dev split: FineTuner keeps the best dev epoch. */
    FineTuner.Result<GptWeights> earlyStopping(List<Fact> train, long seed) {
        FineTuneConfig config = new FineTuneConfig(settings.maxEpochs(), settings.batchSize(), settings.lr(), 0f, 0,
                FrozenGroups.none(), settings.patience(), seed);
        return counted(new FineTuner(config).run(start, qa(train), qa(dev)));
    }

    /** A fixed number of epochs, no dev split (FineTuner then returns the last epoch's weights). */
    FineTuner.Result<GptWeights> fixedEpochs(List<Fact> train, int epochs, double lambda, FrozenGroups frozen, long seed) {
        FineTuneConfig config = new FineTuneConfig(epochs, settings.batchSize(), settings.lr(), 0f, lambda, frozen,
                settings.patience(), seed);
        return counted(new FineTuner(config).run(start, qa(train), List.of()));
    }

    /** Steps FineTuner skipped (non-finite loss or gradient) in this context's runs so far. */
    int skippedSteps() {
        return skippedSteps;
    }

    /** Prints and tallies the steps a run skipped (non-finite loss or gradient); returns the run. */
    FineTuner.Result<GptWeights> counted(FineTuner.Result<GptWeights> r) {
        if (r.skippedSteps() > 0) {
            System.out.printf("  (%d steps skipped: non-finite loss or gradient)%n", r.skippedSteps());
        }
        skippedSteps += r.skippedSteps();
        return r;
    }

    /** The settings every result records; {@code stopping}: also early stopping's and the held-out splits'. */
    Map<String, Object> config(boolean stopping) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", folder.manifest().key());
        config.put("seeds", settings.seeds());
        config.put("lr", settings.lr());
        config.put("batchSize", settings.batchSize());
        if (stopping) {
            config.put("earlyStoppingMaxEpochs", settings.maxEpochs());
            config.put("patience", settings.patience());
            config.put("convergenceEpochs", settings.convEpochs());
            config.put("devSize", dev.size());
            config.put("poolTestSize", poolTest.size());
            config.put("probes", probes.size());
        }
        config.put("threads", settings.threads());
        config.put("quick", settings.quick());
        return config;
    }

    /** Evaluations of one set of weights; close it to free the native memory. */
    Scorer scorer(GptWeights weights) {
        return new Scorer(weights);
    }

    /** A checkpoint's measurements: test (probes), the mixed pool test by category, dev, and which training facts it fits. */
    Checkpoint checkpoint(String stage, int epochs, GptWeights weights, List<Fact> train) {
        try (Scorer s = scorer(weights)) {
            double test = s.accuracy(qa(probes));
            boolean[] poolRight = s.correct(qa(poolTest));
            Map<String, double[]> byCategory = new LinkedHashMap<>();
            int poolHits = 0;
            for (int i = 0; i < poolTest.size(); i++) {
                double[] counts = byCategory.computeIfAbsent(categories.get(poolTest.get(i).id()).wireName(),
                        k -> new double[2]);
                counts[0] += poolRight[i] ? 1 : 0;
                counts[1]++;
                poolHits += poolRight[i] ? 1 : 0;
            }
            Map<String, Double> poolByCategory = new LinkedHashMap<>();
            for (Category c : Category.values()) {
                double[] counts = byCategory.get(c.wireName());
                if (counts != null) {
                    poolByCategory.put(c.wireName(), counts[0] / counts[1]);
                }
            }
            double devAccuracy = s.accuracy(qa(dev));
            boolean[] fit = s.correct(qa(train));
            int known = 0;
            int unknown = 0;
            int knownFitted = 0;
            int unknownFitted = 0;
            for (int i = 0; i < train.size(); i++) {
                boolean isUnknown = categories.get(train.get(i).id()) == Category.UNKNOWN;
                if (isUnknown) {
                    unknown++;
                    unknownFitted += fit[i] ? 1 : 0;
                } else {
                    known++;
                    knownFitted += fit[i] ? 1 : 0;
                }
            }
            return new Checkpoint(stage, epochs, test, poolTest.isEmpty() ? 0 : (double) poolHits / poolTest.size(),
                    poolByCategory, devAccuracy, share(knownFitted + unknownFitted, train.size()), known, unknown,
                    knownFitted, unknownFitted, share(knownFitted, train.size()), share(unknownFitted, train.size()));
        }
    }

    private static double share(int part, int whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    /** Writes {@code <name>.json} and the Markdown tables {@code <name>.md} (also printed). */
    void write(String name, Object result, String tables) throws IOException {
        Files.createDirectories(settings.out());
        JSON.writeValue(settings.out().resolve(name + ".json").toFile(), result);
        Files.writeString(settings.out().resolve(name + ".md"), tables);
        System.out.println();
        System.out.println(tables);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** Evaluations of one set of weights in DJL. */
    static final class Scorer implements AutoCloseable {
        private final NDManager manager;
        private final DjlGpt gpt;

        Scorer(GptWeights weights) {
            this.manager = Engine.getEngine("PyTorch").newBaseManager();
            this.gpt = DjlGpt.fromWeights(manager, weights);
        }

        /** Greedy exact match on the plain question: {@link FineTuner#accuracy}, the project's reference. */
        double accuracy(List<QaSequence> sequences) {
            return FineTuner.accuracy(gpt, manager, sequences);
        }

        /**
         * Per sequence, the same test as {@link FineTuner#accuracy}: every answer token and the terminator is
         * its position's argmax (teacher forcing = greedy decoding produces exactly the gold answer).
         */
        boolean[] correct(List<QaSequence> sequences) {
            boolean[] out = new boolean[sequences.size()];
            for (int from = 0; from < sequences.size(); from += 64) {
                List<QaSequence> batch = sequences.subList(from, Math.min(sequences.size(), from + 64));
                int rows = batch.size();
                int s = batch.stream().mapToInt(q -> q.ids().length).max().orElseThrow();
                long[] ids = new long[rows * s];
                long[] mask = new long[rows * s];
                for (int r = 0; r < rows; r++) {
                    int[] q = batch.get(r).ids();
                    for (int t = 0; t < q.length; t++) {
                        ids[r * s + t] = q[t];
                        mask[r * s + t] = 1;
                    }
                }
                try (NDManager m = manager.newSubManager()) {
                    NDArray in = m.create(ids, new Shape(rows, s));
                    NDArray am = m.create(mask, new Shape(rows, s));
                    long[] argmax = gpt.forward(in, am, false).argMax(-1).toType(DataType.INT64, false).toLongArray();
                    for (int r = 0; r < rows; r++) {
                        QaSequence q = batch.get(r);
                        boolean ok = true;
                        for (int t = q.answerStart(); t < q.ids().length && ok; t++) {
                            ok = argmax[r * s + t - 1] == q.ids()[t];
                        }
                        out[from + r] = ok;
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            gpt.close();
            manager.close();
        }
    }

    /**
     * One evaluated set of weights.
     *
     * @param stage                "early_stopping", "convergence" or "fixed"
     * @param epochs               the epoch the weights are from
     * @param testAccuracy         greedy exact match on the plain questions of the held-out probes
     * @param poolTestAccuracy     the same on the held-out mixed pool test set
     * @param poolTestByCategory   that accuracy by the facts' base-model category
     * @param devAccuracy          the same on the dev split
     * @param trainAccuracy        share of the training examples fitted (greedy answer right on the training question)
     * @param knownExamples        Known (HighlyKnown, MaybeKnown, WeaklyKnown) examples in the training set
     * @param unknownExamples      Unknown examples in it
     * @param knownFitted          Known examples fitted
     * @param unknownFitted        Unknown examples fitted
     * @param knownFittedShare     knownFitted / |D|
     * @param unknownFittedShare   unknownFitted / |D|
     */
    record Checkpoint(String stage, int epochs, double testAccuracy, double poolTestAccuracy,
                      Map<String, Double> poolTestByCategory, double devAccuracy, double trainAccuracy,
                      int knownExamples, int unknownExamples, int knownFitted, int unknownFitted,
                      double knownFittedShare, double unknownFittedShare) {
    }
}
