package dev.knowgate.tools.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.training.gpt.AdamW;
import dev.knowgate.tools.models.OptimumImport;
import dev.knowgate.training.TrainableDecoder;
import dev.knowgate.training.UsedVocabulary;
import dev.knowgate.training.gpt.DjlGpt;
import dev.knowgate.training.llama.DjlLlama;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.PretrainDocument;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldFiles;
import dev.knowgate.world.WorldTokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

/**
 * Pre-trains the project's base model (knowgate-base@1) on a fact world's pre-training corpus and writes a sealed
 * model version folder: model.onnx (plain variant), model-kv.onnx (KV-cache variant), tokenizer.json,
 * exemplars.jsonl (the world's dev split),
 * training-log.json and manifest.json. The folder is built in a temporary sibling and renamed at the end.
 *
 * <p>Data: each corpus text becomes {@code <bos> text <eos>}; the documents are concatenated in corpus order
 * and cut into chunks of maxPositions tokens (the tail is dropped); the chunks are shuffled per epoch from the
 * seed. Loss on every token. Learning rate: linear warm-up, then cosine decay to minLrRatio x lr over the
 * planned steps (epochs x batches).
 *
 * <p>Knowledge report: for every fine-tuning pool fact (by exposure) and probe, whether the model's greedy
 * answer to the 4-shot prompt (exemplars: same-relation dev facts) is exactly right, computed by teacher
 * forcing: argmax at every answer position and at the terminator must equal the gold token.
 */
public final class Pretrainer {

    public static final String MODEL_NAME = "knowgate-base";
    public static final long MODEL_VERSION = 1;
    public static final String ARCHITECTURE = GptConfig.ARCHITECTURE;
    public static final String MODEL_FILE = "model.onnx";
    public static final String KV_MODEL_FILE = "model-kv.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String EXEMPLARS_FILE = ExemplarFile.FILE_NAME;
    public static final String LOG_FILE = "training-log.json";
    public static final int SHOTS = 4;
    private static final int EVAL_BATCH = 64;
    static final double GRAD_CLIP = 1.0;

    private final PretrainConfig config;
    private final PrintStream log;

    public Pretrainer(PretrainConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** The result of a run: the sealed folder and the training log written into it. */
    public record Result(Path dir, ModelVersion manifest, Map<String, Object> trainingLog) {
    }

    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Path out = config.out().toAbsolutePath().normalize();
        if (Files.exists(out) && !config.force()) {
            throw new IOException(out + " exists (use --force to replace it)");
        }
        Files.createDirectories(out.getParent());
        Path tmp = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".tmp-");
        try {
            Result r = build(tmp, t0);
            if (Files.exists(out)) {
                deleteTree(out);
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
            log.printf("[pretrain] wrote %s (%.1f MB) in %.1f s%n", out, folderBytes(out) / 1e6,
                    (System.nanoTime() - t0) / 1e9);
            return new Result(out, r.manifest(), r.trainingLog());
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private Result build(Path dir, long t0) throws IOException {
        FactWorld world = FactWorld.generate(WorldConfig.preset(config.preset(), config.seed()));
        Path tokenizerPath = dir.resolve(TOKENIZER_FILE);
        int vocab;
        if (config.tokenizer() == null) {
            WorldTokenizer.write(world, tokenizerPath);
            vocab = WorldTokenizer.tokens(world.vocabulary()).size();
        } else {
            Files.copy(config.tokenizer(), tokenizerPath);
            vocab = VocabularyCheck.largestId(tokenizerPath) + 1;
            ModelFolder.copyLicences(config.tokenizer().toAbsolutePath().getParent(), dir);
        }
        List<String> exemplarLines = world.dev().stream().map(WorldFiles::exampleLine).toList();
        Files.writeString(dir.resolve(EXEMPLARS_FILE), String.join("\n", exemplarLines) + "\n", StandardCharsets.UTF_8);

        Map<String, Object> trainingLog = new LinkedHashMap<>();
        trainingLog.put("model", ModelVersion.keyOf(config.name(), MODEL_VERSION));
        trainingLog.put("seed", config.seed());
        trainingLog.put("config", config.toMap());

        boolean llama = config.architecture().equals(PretrainConfig.LLAMA);
        GptWeights trainedGpt = null;
        LlamaWeights trainedLlama = null;
        try (ModelTokenizer tokenizer = ModelTokenizer.load(tokenizerPath)) {
            Marks marks = Marks.of(tokenizer, config);
            int[] stream = tokenStream(world.pretrainingCorpus(), tokenizer, vocab, marks, config.terminator());
            // A published vocabulary trains on the ids the world can show (see UsedVocabulary).
            UsedVocabulary used = config.tokenizer() == null ? null
                    : UsedVocabulary.of(vocab, usedIds(world, tokenizer, stream, marks));
            int trainedVocab = used == null ? vocab : used.size();
            if (used != null) {
                stream = used.compact(stream);
            }
            IntUnaryOperator trainedId = used == null ? IntUnaryOperator.identity() : used::compact;
            long absent = used == null ? 0 : used.absent();
            long parameters = llama ? llamaShape(vocab, marks).parameterCount() : gptShape(vocab).parameterCount();
            int seq = config.maxPositions();
            int chunks = stream.length / seq;
            log.printf("[pretrain] world %s seed %d: %d documents, %d tokens, %d chunks of %d, vocab %d (%d trained),"
                            + " %s, %d params%n", config.preset(), config.seed(), world.pretrainingCorpus().size(),
                    stream.length, chunks, seq, vocab, trainedVocab, config.architecture(), parameters);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("documents", world.pretrainingCorpus().size());
            data.put("tokens", stream.length);
            data.put("chunks", chunks);
            data.put("vocabSize", vocab);
            data.put("trainedVocabulary", trainedVocab);
            data.put("parameters", parameters);
            trainingLog.put("data", data);

            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            Engine engine = Engine.getEngine("PyTorch");
            int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
            DjlGpt.setTorchThreads(threads);
            DjlGpt.gradModeOffOnThisThread();
            try (NDManager manager = engine.newBaseManager()) {
                try (TrainableDecoder<?> model = llama
                        ? DjlLlama.fromWeights(manager, LlamaWeights.random(llamaShape(trainedVocab, marks), config.seed(),
                                0.02, 0))
                        : DjlGpt.fromWeights(manager, GptWeights.random(gptShape(trainedVocab), config.seed()));
                     AdamW opt = new AdamW(config.lr(), 0.9f, 0.999f, 1e-8f, config.weightDecay())) {
                    train(model, opt, manager, stream, chunks, absent, trainingLog, t0);
                    if (model instanceof DjlLlama l) {
                        trainedLlama = used == null ? l.toWeights() : used.expand(l.toWeights(), llamaShape(vocab, marks));
                    } else {
                        DjlGpt gpt = (DjlGpt) model;
                        trainedGpt = used == null ? gpt.toWeights() : used.expand(gpt.toWeights());
                    }
                    Map<String, Object> report = knowledgeReport(world, model, manager, tokenizer, marks, trainedId);
                    trainingLog.put("knowledge", report);
                }
            }
        }
        String architecture;
        if (llama) {
            // optimum's layout: one model.onnx that takes the cache, config.json beside it.
            LlamaOnnxWriter.write(trainedLlama, LlamaOnnxWriter.Options.inline(), dir);
            architecture = OptimumImport.ARCHITECTURE;
        } else {
            Map<String, String> meta = Map.of("knowgate.model.name", config.name(),
                    "knowgate.model.version", Long.toString(MODEL_VERSION));
            GptOnnxWriter.write(trainedGpt, GptOnnxWriter.Variant.PLAIN, meta, dir.resolve(MODEL_FILE));
            // The same weights with a KV cache, for SliCK's sampled mode (decoding token by token).
            GptOnnxWriter.write(trainedGpt, GptOnnxWriter.Variant.KV_CACHE, meta, dir.resolve(KV_MODEL_FILE));
            architecture = ARCHITECTURE;
        }
        trainingLog.put("wallSeconds", round((System.nanoTime() - t0) / 1e9));
        Files.writeString(dir.resolve(LOG_FILE), ContractJson.writePrettyString(trainingLog) + "\n",
                StandardCharsets.UTF_8);
        ModelVersion manifest = ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, config.name(),
                MODEL_VERSION, null, architecture, files, QaFormat.PROMPT_TEMPLATE, config.terminator(),
                Instant.now(), null, null));
        return new Result(dir, manifest, trainingLog);
    }

    private GptConfig gptShape(int vocab) {
        return GptConfig.of(vocab, config.maxPositions(), config.dModel(), config.heads(), config.layers(), config.dFf());
    }

    /** The Llama shape: tied head, BOS and EOS the tokenizer's (full-vocabulary ids). */
    private LlamaConfig llamaShape(int vocab, Marks marks) {
        return new LlamaConfig(vocab, config.dModel(), config.dFf(), config.layers(), config.heads(), config.kvHeads(),
                config.dModel() / config.heads(), config.maxPositions(), 1e-5, 10_000, true, marks.bos(), marks.eos());
    }

    /**
     * The special ids the corpus and the knowledge check need: document start and end, unknown (-1
     * where the tokenizer has none; a byte-fallback BPE never produces one), and the answer terminator.
     * A published tokenizer must have the Llama-family {@code <s>} and {@code </s>}.
     */
    record Marks(int bos, int eos, int unk, int terminator) {

        static Marks of(ModelTokenizer tokenizer, PretrainConfig config) {
            if (config.tokenizer() == null) {
                return new Marks(WorldTokenizer.BOS_ID, WorldTokenizer.EOS_ID, WorldTokenizer.UNK_ID,
                        WorldTokenizer.EOA_ID);
            }
            return new Marks(tokenizer.tokenId("<s>"), tokenizer.tokenId("</s>"), -1,
                    tokenizer.terminatorId(config.terminator()));
        }
    }

    /**
     * Every id the world can show the model: the corpus, the marks, and each fact's prompt and answer
     * as SliCK and fine-tuning encode them (facts never in the corpus included).
     */
    private BitSet usedIds(FactWorld world, ModelTokenizer tokenizer, int[] stream, Marks marks) {
        BitSet used = new BitSet();
        Arrays.stream(stream).forEach(used::set);
        used.set(marks.bos());
        used.set(marks.eos());
        used.set(marks.terminator());
        for (Fact f : world.facts()) {
            for (String text : List.of(QaFormat.prompt(f.question()), f.answer(),
                    QaFormat.terminatedBy(QaFormat.qa(f.question(), f.answer()), config.terminator()))) {
                Arrays.stream(tokenizer.encode(text)).forEach(used::set);
            }
        }
        return used;
    }

    /** All documents as {@code <bos> text <eos>}, concatenated in corpus order, answers ending in {@code terminator}. */
    static int[] tokenStream(List<PretrainDocument> corpus, ModelTokenizer tokenizer, int vocab, Marks marks,
                             String terminator) {
        int n = 0;
        List<int[]> docs = new ArrayList<>(corpus.size());
        for (PretrainDocument d : corpus) {
            int[] ids = tokenizer.encode(QaFormat.terminatedBy(d.text(), terminator));
            for (int id : ids) {
                if (id < 0 || id >= vocab || id == marks.unk()) {
                    throw new IllegalStateException("token id " + id + " in '" + d.text() + "'");
                }
            }
            docs.add(ids);
            n += ids.length + 2;
        }
        int[] stream = new int[n];
        int k = 0;
        for (int[] ids : docs) {
            stream[k++] = marks.bos();
            System.arraycopy(ids, 0, stream, k, ids.length);
            k += ids.length;
            stream[k++] = marks.eos();
        }
        return stream;
    }

    private void train(TrainableDecoder<?> gpt, AdamW opt, NDManager manager, int[] stream, int chunks, long absent,
                       Map<String, Object> trainingLog, long t0) {
        int seq = config.maxPositions();
        int bs = config.batchSize();
        int batchesPerEpoch = (chunks + bs - 1) / bs;
        long plannedSteps = (long) batchesPerEpoch * config.epochs();
        if (config.maxSteps() > 0) {
            plannedSteps = Math.min(plannedSteps, config.maxSteps());
        }
        long warmup = Math.max(1, Math.round(plannedSteps * config.warmupFraction()));
        long deadline = config.maxMinutes() > 0 ? t0 + (long) (config.maxMinutes() * 60e9) : Long.MAX_VALUE;
        List<Map<String, Object>> epochs = new ArrayList<>();
        trainingLog.put("epochs", epochs);
        trainingLog.put("plannedSteps", plannedSteps);
        trainingLog.put("warmupSteps", warmup);
        String stopReason = "completed";
        long step = 0;
        long trainStart = System.nanoTime();
        long totalTokens = 0;
        int skipped = 0;
        outer:
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            int[] order = new int[chunks];
            for (int i = 0; i < chunks; i++) {
                order[i] = i;
            }
            SplittableRandom rnd = new SplittableRandom(config.seed() * 1_000_003L + epoch);
            for (int i = chunks - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long e0 = System.nanoTime();
            double lossSum = 0;
            long lossTokens = 0;
            long tokens = 0;
            int batches = 0;
            for (int b = 0; b < batchesPerEpoch; b++) {
                if (System.nanoTime() > deadline) {
                    stopReason = "max-minutes";
                }
                if (config.maxSteps() > 0 && step >= config.maxSteps()) {
                    stopReason = "max-steps";
                }
                if (!stopReason.equals("completed")) {
                    if (batches > 0) {
                        epochs.add(epochEntry(epoch, lossSum / lossTokens, tokens, e0, batches, batchesPerEpoch, opt));
                        logEpoch(epochs.get(epochs.size() - 1));
                    }
                    break outer;
                }
                int from = b * bs;
                int rows = Math.min(bs, chunks - from);
                long[] ids = new long[rows * seq];
                for (int r = 0; r < rows; r++) {
                    int c = order[from + r];
                    for (int t = 0; t < seq; t++) {
                        ids[r * seq + t] = stream[c * seq + t];
                    }
                }
                opt.learningRate(learningRate(step, warmup, plannedSteps));
                float loss;
                try (NDManager m = manager.newSubManager()) {
                    NDArray idArr = m.create(ids, new Shape(rows, seq));
                    NDArray mask = m.ones(new Shape(rows, seq), ai.djl.ndarray.types.DataType.INT64);
                    loss = clippedStep(gpt, opt, idArr, mask, absent);
                }
                if (!Float.isFinite(loss)) {
                    skipped++;
                    if (skipped > 20) {
                        throw new IllegalStateException("loss is " + loss + " at step " + step + " (" + skipped
                                + " steps skipped)");
                    }
                    continue;
                }
                step++;
                batches++;
                long targets = (long) rows * (seq - 1);
                lossSum += (double) loss * targets;
                lossTokens += targets;
                tokens += (long) rows * seq;
                totalTokens += (long) rows * seq;
                if (step % 200 == 0) {
                    double secs = (System.nanoTime() - e0) / 1e9;
                    log.printf("[pretrain]   step %d (epoch %d, %d/%d) loss %.4f lr %.2e %.0f tokens/s%n", step, epoch,
                            b + 1, batchesPerEpoch, lossSum / lossTokens, opt.learningRate(), tokens / secs);
                }
            }
            epochs.add(epochEntry(epoch, lossSum / lossTokens, tokens, e0, batches, batchesPerEpoch, opt));
            logEpoch(epochs.get(epochs.size() - 1));
        }
        double secs = (System.nanoTime() - trainStart) / 1e9;
        trainingLog.put("steps", step);
        trainingLog.put("stopReason", stopReason);
        trainingLog.put("skippedSteps", skipped);
        trainingLog.put("gradClipNorm", GRAD_CLIP);
        trainingLog.put("trainSeconds", round(secs));
        trainingLog.put("trainTokens", totalTokens);
        trainingLog.put("tokensPerSecond", round(totalTokens / Math.max(secs, 1e-9)));
        trainingLog.put("torchThreads", DjlGpt.torchThreads());
        log.printf("[pretrain] training: %d steps, %d tokens in %.1f s (%.0f tokens/s), stop: %s%n", step,
                totalTokens, secs, totalTokens / secs, stopReason);
    }

    /**
     * DjlGpt.trainStep with global gradient-norm clipping ({@value #GRAD_CLIP}): at lr 3e-3 without clipping the
     * standard run diverged to NaN after ~700 steps. A non-finite loss or gradient skips the update.
     */
    static float clippedStep(TrainableDecoder<?> gpt, AdamW opt, NDArray ids, NDArray mask, long absent) {
        float value;
        try (NDManager step = ids.getManager().newSubManager();
             ai.djl.training.GradientCollector gc = ids.getManager().getEngine().newGradientCollector()) {
            gpt.zeroGradients();
            NDArray logits = gpt.forward(ids, mask, true);
            logits.attach(step);
            NDArray loss = DjlGpt.loss(logits, ids, mask, absent);
            loss.attach(step);
            gc.backward(loss);
            value = loss.getFloat();
        }
        if (!Float.isFinite(value)) {
            gpt.clearGradients(); // the next step's g - g would keep the NaN
            return value;
        }
        if (!DjlGpt.clipGradientNorm(gpt.parameters().values(), GRAD_CLIP)) {
            gpt.clearGradients();
            return Float.NaN;
        }
        opt.step(gpt.parameters());
        return value;
    }

    private float learningRate(long step, long warmup, long planned) {
        double lr = config.lr();
        if (step < warmup) {
            return (float) (lr * (step + 1) / warmup);
        }
        double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, planned - warmup));
        double min = lr * config.minLrRatio();
        return (float) (min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private static Map<String, Object> epochEntry(int epoch, double loss, long tokens, long e0, int batches,
                                                  int batchesPerEpoch, AdamW opt) {
        double secs = (System.nanoTime() - e0) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("loss", round(loss));
        m.put("tokens", tokens);
        m.put("seconds", round(secs));
        m.put("tokensPerSecond", round(tokens / Math.max(secs, 1e-9)));
        m.put("batches", batches);
        m.put("complete", batches == batchesPerEpoch);
        m.put("lrAtEnd", opt.learningRate());
        return m;
    }

    private void logEpoch(Map<String, Object> e) {
        log.printf("[pretrain] epoch %s: loss %s, %s tokens in %s s (%s tokens/s)%s%n", e.get("epoch"), e.get("loss"),
                e.get("tokens"), e.get("seconds"), e.get("tokensPerSecond"),
                Boolean.TRUE.equals(e.get("complete")) ? "" : " (partial)");
    }

    /** One teacher-forced 4-shot question: ids ([bos] prompt answer [eoa]) and where the answer starts. */
    record Probe(Fact fact, long[] ids, int answerStart, int shots) {
    }

    Map<String, Object> knowledgeReport(FactWorld world, TrainableDecoder<?> gpt, NDManager manager, ModelTokenizer tokenizer,
                                        Marks marks, IntUnaryOperator trainedId) {
        long e0 = System.nanoTime();
        Map<String, List<Fact>> dev = world.devByRelation();
        Map<Integer, int[]> byExposure = new TreeMap<>();
        int[] shotsHistogram = new int[SHOTS + 1];
        List<Probe> pool = new ArrayList<>();
        for (Fact f : world.finetunePool()) {
            pool.add(probe(f, dev, tokenizer, marks, trainedId, shotsHistogram));
        }
        List<Probe> probes = new ArrayList<>();
        for (Fact f : world.probes()) {
            probes.add(probe(f, dev, tokenizer, marks, trainedId, shotsHistogram));
        }
        boolean[] poolRight = evaluate(gpt, manager, pool);
        boolean[] probeRight = evaluate(gpt, manager, probes);
        for (int i = 0; i < pool.size(); i++) {
            int[] c = byExposure.computeIfAbsent(pool.get(i).fact().exposure(), k -> new int[2]);
            c[0]++;
            if (poolRight[i]) {
                c[1]++;
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> buckets = new LinkedHashMap<>();
        log.println("[pretrain] knowledge (greedy 4-shot answer exactly right, teacher-forced):");
        int poolN = 0;
        int poolK = 0;
        for (Map.Entry<Integer, int[]> e : byExposure.entrySet()) {
            int[] c = e.getValue();
            poolN += c[0];
            poolK += c[1];
            buckets.put(Integer.toString(e.getKey()), bucket(c[0], c[1]));
            log.printf("[pretrain]   exposure %2d: %4d / %4d = %5.1f%%%n", e.getKey(), c[1], c[0], 100.0 * c[1] / c[0]);
        }
        int probeK = 0;
        for (boolean b : probeRight) {
            probeK += b ? 1 : 0;
        }
        log.printf("[pretrain]   pool      : %4d / %4d = %5.1f%%%n", poolK, poolN, 100.0 * poolK / Math.max(1, poolN));
        log.printf("[pretrain]   probes    : %4d / %4d = %5.1f%%%n", probeK, probes.size(),
                100.0 * probeK / Math.max(1, probes.size()));
        report.put("method", "teacher-forced greedy check of the " + SHOTS + "-shot prompt (same-relation dev"
                + " exemplars; fewer shots where the prompt would not fit maxPositions)");
        report.put("poolByExposure", buckets);
        report.put("pool", bucket(poolN, poolK));
        report.put("probes", bucket(probes.size(), probeK));
        Map<String, Object> shots = new LinkedHashMap<>();
        for (int s = 0; s <= SHOTS; s++) {
            if (shotsHistogram[s] > 0) {
                shots.put(Integer.toString(s), shotsHistogram[s]);
            }
        }
        report.put("shotsUsed", shots);
        report.put("seconds", round((System.nanoTime() - e0) / 1e9));
        return report;
    }

    private static Map<String, Object> bucket(int n, int known) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("facts", n);
        m.put("exactlyRight", known);
        m.put("share", round(n == 0 ? 0 : (double) known / n));
        return m;
    }

    private Probe probe(Fact fact, Map<String, List<Fact>> dev, ModelTokenizer tokenizer, Marks marks,
                        IntUnaryOperator trainedId, int[] shotsHistogram) {
        List<Fact> candidates = new ArrayList<>(dev.getOrDefault(fact.relation().name(), List.of()));
        candidates.removeIf(d -> d.id().equals(fact.id()));
        candidates.sort(Comparator.comparing(Fact::id));
        SplittableRandom rnd = new SplittableRandom(config.seed() ^ (fact.id().hashCode() * 0x9E3779B97F4A7C15L));
        for (int i = candidates.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Fact t = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, t);
        }
        int[] answer = tokenizer.encode(fact.answer());
        for (int shots = Math.min(SHOTS, candidates.size()); shots >= 0; shots--) {
            List<QaFormat.QaPair> pairs = candidates.subList(0, shots).stream().map(Fact::qaPair).toList();
            int[] prompt = tokenizer.encode(QaFormat.terminatedBy(QaFormat.fewShotPrompt(pairs, fact.question()),
                    config.terminator()));
            int len = 1 + prompt.length + answer.length + 1;
            if (len <= config.maxPositions() || shots == 0) {
                long[] ids = new long[Math.min(len, config.maxPositions())];
                int k = 0;
                // If even the 0-shot prompt is too long (never for the presets), keep its end.
                int skip = len - ids.length;
                ids[k++] = marks.bos();
                for (int i = skip; i < prompt.length; i++) {
                    ids[k++] = prompt[i];
                }
                int answerStart = k;
                for (int id : answer) {
                    ids[k++] = id;
                }
                ids[k] = marks.terminator();
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = trainedId.applyAsInt((int) ids[i]);
                }
                shotsHistogram[shots]++;
                return new Probe(fact, ids, answerStart, shots);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Per probe: the argmax at every answer position and at the terminator equals the gold token. */
    static boolean[] evaluate(TrainableDecoder<?> gpt, NDManager manager, List<Probe> probes) {
        boolean[] right = new boolean[probes.size()];
        for (int from = 0; from < probes.size(); from += EVAL_BATCH) {
            int rows = Math.min(EVAL_BATCH, probes.size() - from);
            int s = 0;
            for (int r = 0; r < rows; r++) {
                s = Math.max(s, probes.get(from + r).ids().length);
            }
            long[] ids = new long[rows * s];
            long[] mask = new long[rows * s];
            for (int r = 0; r < rows; r++) {
                long[] p = probes.get(from + r).ids();
                for (int t = 0; t < p.length; t++) {
                    ids[r * s + t] = p[t];
                    mask[r * s + t] = 1;
                }
            }
            long[] argmax;
            try (NDManager m = manager.newSubManager()) {
                NDArray logits = gpt.forward(m.create(ids, new Shape(rows, s)), m.create(mask, new Shape(rows, s)), false);
                argmax = logits.argMax(-1).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
            }
            for (int r = 0; r < rows; r++) {
                Probe p = probes.get(from + r);
                boolean ok = true;
                for (int t = p.answerStart(); t < p.ids().length; t++) {
                    if (argmax[r * s + t - 1] != p.ids()[t]) {
                        ok = false;
                        break;
                    }
                }
                right[from + r] = ok;
            }
        }
        return right;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
