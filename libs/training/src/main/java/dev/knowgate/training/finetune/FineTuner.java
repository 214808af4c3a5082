package dev.knowgate.training.finetune;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.GptWeights.Tensor;
import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import dev.knowgate.training.TrainableDecoder;
import dev.knowgate.training.UsedVocabulary;
import dev.knowgate.training.gpt.AdamW;
import dev.knowgate.training.gpt.DjlGpt;
import dev.knowgate.training.llama.DjlLlama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One fine-tuning round on question-answer sequences, in DJL/PyTorch, for either architecture the
 * project trains ({@link Architecture#GPT}, {@link Architecture#LLAMA}): cross-entropy on the answer
 * tokens plus, with {@code distillLambda > 0}, self-distillation (Kaplan et al. 2026): a frozen
 * teacher (the starting weights unless {@link #run(GptWeights, GptWeights, List, List, Retention)} names
 * others, e.g. the lineage's base version) and KL(teacher || student) over the vocabulary at the answer
 * positions keeps the student's output distribution close to the teacher's. Frozen parameter groups
 * are never updated. After each epoch the dev split's greedy exact-match accuracy (teacher-forced:
 * argmax at every answer position and the terminator) is measured; the best epoch's weights are
 * returned (the earliest of equals; at least one epoch always runs, so a round never returns its
 * starting weights unchanged), and training stops after {@code patience} epochs without improvement.
 *
 * <p>An optional {@link Retention} guard measures, after each epoch, the same accuracy on facts the
 * model already knows and is not trained on; only epochs that lost at most {@code maxDrop} of it
 * (against the starting weights) are eligible, and training stops at the first epoch that lost more.
 * Without a dev split the latest eligible epoch is kept (as much learning as the guard allows).
 */
public final class FineTuner {

    /** What a round produced: the weights of epoch {@code bestEpoch} (1 or later). */
    public record Result<W>(W weights, List<Epoch> epochs, int bestEpoch, double devAccuracyBefore,
                            double bestDevAccuracy, boolean stoppedEarly, long trainTokens, double trainSeconds,
                            RetentionLog retention) {

        /** The result of a round without a retention guard. */
        public Result(W weights, List<Epoch> epochs, int bestEpoch, double devAccuracyBefore,
                      double bestDevAccuracy, boolean stoppedEarly, long trainTokens, double trainSeconds) {
            this(weights, epochs, bestEpoch, devAccuracyBefore, bestDevAccuracy, stoppedEarly, trainTokens,
                    trainSeconds, null);
        }

        /** Steps skipped because their loss or gradient was not finite, over all epochs. */
        public int skippedSteps() {
            return epochs.stream().mapToInt(Epoch::skippedSteps).sum();
        }
    }

    /**
     * One epoch: mean cross-entropy and KL per answer token over its applied steps, the dev accuracy after it,
     * and how many steps were skipped because their loss or gradient was not finite.
     */
    public record Epoch(int epoch, double crossEntropy, double kl, double devAccuracy, double seconds,
                        int skippedSteps) {
    }

    /**
     * Facts the round must not forget (known to the model, never trained on in the round, e.g. the
     * version's exemplars.jsonl) and the largest share of them it may lose: an epoch whose greedy
     * exact-match accuracy on {@code facts} is below the starting weights' by more than {@code maxDrop}
     * is not kept, and training stops there.
     */
    public record Retention(List<QaSequence> facts, double maxDrop) {

        public Retention {
            facts = List.copyOf(facts);
            if (facts.isEmpty() || !(maxDrop >= 0 && maxDrop <= 1)) {
                throw new IllegalArgumentException("a retention guard needs facts and a drop in [0, 1]");
            }
        }
    }

    /**
     * What the retention guard saw: accuracy on its facts before the round and after each epoch, and
     * whether even the first epoch lost more than allowed (its weights are then returned anyway, because
     * a round never returns its starting weights: a promotion gate downstream should reject them).
     */
    public record RetentionLog(double before, List<Double> byEpoch, double maxDrop, boolean exceededAtFirstEpoch) {
    }

    /**
     * How a round opens an architecture's weights as a {@link TrainableDecoder}, tells whether two sets of
     * weights have the same shape (a teacher must match its student), and reads and replaces the tied
     * embedding (null: the head is not tied), which is how a round leaves out the ids a model does not
     * have ({@link UsedVocabulary}).
     */
    public record Architecture<W>(BiFunction<NDManager, W, TrainableDecoder<W>> open, Function<W, Object> shape,
                                  Function<W, Tensor> tiedEmbedding, BiFunction<W, Tensor, W> withEmbedding) {

        public static final Architecture<GptWeights> GPT = new Architecture<>(DjlGpt::fromWeights, GptWeights::config,
                w -> w.get("wte"), (w, e) -> {
                    GptConfig c = w.config();
                    Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
                    t.put("wte", e);
                    return new GptWeights(new GptConfig(e.shape()[0], c.maxPositions(), c.dModel(), c.nHeads(),
                            c.nLayers(), c.dFf(), c.layerNormEps()), t);
                });
        public static final Architecture<LlamaWeights> LLAMA = new Architecture<>(DjlLlama::fromWeights,
                LlamaWeights::config, w -> w.config().tieWordEmbeddings() ? w.get(LlamaWeights.EMBED) : null, (w, e) -> {
                    LlamaConfig c = w.config();
                    Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
                    t.put(LlamaWeights.EMBED, e);
                    return new LlamaWeights(new LlamaConfig(e.shape()[0], c.hiddenSize(), c.intermediateSize(),
                            c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.maxPositions(), c.rmsNormEps(),
                            c.ropeTheta(), c.tieWordEmbeddings(), c.bosTokenId(), c.eosTokenId()), t);
                });
    }

    /** Global gradient-norm clip, as in pre-training (without it some rounds diverged to zero accuracy). */
    static final double GRAD_CLIP = 1.0;

    private final FineTuneConfig config;

    public FineTuner(FineTuneConfig config) {
        this.config = config;
    }

    /** A round from {@code start}, which is also the self-distillation teacher; no retention guard. */
    public Result<GptWeights> run(GptWeights start, List<QaSequence> train, List<QaSequence> dev) {
        return run(Architecture.GPT, start, start, train, dev, null);
    }

    /**
     * A round from {@code start} with another self-distillation teacher: in continual rounds, the lineage's
     * base version rather than the round's parent keeps every version close to the same reference instead
     * of letting each round's drift become the next round's anchor.
     */
    public Result<GptWeights> run(GptWeights start, GptWeights teacher, List<QaSequence> train, List<QaSequence> dev) {
        return run(Architecture.GPT, start, teacher, train, dev, null);
    }

    /**
     * @param start     the weights trained from
     * @param teacher   the frozen self-distillation teacher (used when {@code distillLambda > 0}); same
     *                  architecture as {@code start}
     * @param retention an optional guard (null: none); see {@link Retention}
     */
    public Result<GptWeights> run(GptWeights start, GptWeights teacher, List<QaSequence> train, List<QaSequence> dev,
                                  Retention retention) {
        return run(Architecture.GPT, start, teacher, train, dev, retention);
    }

    /**
     * A round of any architecture: as {@link #run(GptWeights, GptWeights, List, List, Retention)}, the
     * weights opened and read back through {@code architecture}.
     */
    public <W> Result<W> run(Architecture<W> architecture, W start, W teacher, List<QaSequence> train,
                             List<QaSequence> dev, Retention retention) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("a round needs examples");
        }
        if (!architecture.shape().apply(teacher).equals(architecture.shape().apply(start))) {
            throw new IllegalArgumentException("the teacher's architecture " + architecture.shape().apply(teacher)
                    + " differs from the student's " + architecture.shape().apply(start));
        }
        UsedVocabulary used = usedVocabulary(architecture, start, teacher, train, dev, retention);
        if (used == null) {
            return round(architecture, start, teacher, train, dev, retention, 0);
        }
        Result<W> r = round(architecture, compact(architecture, used, start), compact(architecture, used, teacher),
                compact(used, train), compact(used, dev),
                retention == null ? null : new Retention(compact(used, retention.facts()), retention.maxDrop()),
                used.absent());
        W full = architecture.withEmbedding().apply(r.weights(),
                used.expandRows(architecture.tiedEmbedding().apply(r.weights())));
        return new Result<>(full, r.epochs(), r.bestEpoch(), r.devAccuracyBefore(), r.bestDevAccuracy(),
                r.stoppedEarly(), r.trainTokens(), r.trainSeconds(), r.retention());
    }

    /**
     * The ids a round can train on, or null when it must use the whole vocabulary (a head that is not tied,
     * or no id absent): the rows that are not zero in the student's tied embedding and, when distilling,
     * the teacher's, and every id the round's sequences use. The others have a logit of exactly 0.
     */
    private <W> UsedVocabulary usedVocabulary(Architecture<W> architecture, W start, W teacher, List<QaSequence> train,
                                              List<QaSequence> dev, Retention retention) {
        Tensor embedding = architecture.tiedEmbedding().apply(start);
        if (embedding == null) {
            return null;
        }
        BitSet used = UsedVocabulary.nonZeroRows(embedding);
        if (config.distillLambda() > 0) {
            used.or(UsedVocabulary.nonZeroRows(architecture.tiedEmbedding().apply(teacher)));
        }
        for (List<QaSequence> list : List.of(train, dev, retention == null ? List.<QaSequence>of() : retention.facts())) {
            list.forEach(q -> Arrays.stream(q.ids()).forEach(used::set));
        }
        int vocab = embedding.shape()[0];
        return used.cardinality() == vocab ? null : UsedVocabulary.of(vocab, used);
    }

    private static <W> W compact(Architecture<W> architecture, UsedVocabulary used, W weights) {
        return architecture.withEmbedding().apply(weights, used.compactRows(architecture.tiedEmbedding().apply(weights)));
    }

    private static List<QaSequence> compact(UsedVocabulary used, List<QaSequence> sequences) {
        return sequences.stream().map(q -> new QaSequence(used.compact(q.ids()), q.answerStart())).toList();
    }

    /** A round over {@code absentIds} more ids than the weights have, each a logit of exactly 0. */
    private <W> Result<W> round(Architecture<W> architecture, W start, W teacher, List<QaSequence> train,
                                List<QaSequence> dev, Retention retention, long absentIds) {
        long t0 = System.nanoTime();
        Engine engine = Engine.getEngine("PyTorch");
        DjlGpt.gradModeOffOnThisThread(); // rounds run on the trainer's own thread
        try (NDManager manager = engine.newBaseManager();
             TrainableDecoder<W> student = architecture.open().apply(manager, start);
             TrainableDecoder<W> distillFrom = config.distillLambda() > 0 ? architecture.open().apply(manager, teacher) : null;
             AdamW optimizer = new AdamW(config.lr(), 0.9f, 0.999f, 1e-8f, config.weightDecay())) {
            Map<String, NDArray> trainable = new LinkedHashMap<>();
            student.parameters().forEach((name, p) -> {
                if (!config.frozen().isFrozen(name)) {
                    trainable.put(name, p);
                }
            });
            double before = accuracy(student, manager, dev, absentIds);
            double retainedBefore = retention == null ? Double.NaN
                    : accuracy(student, manager, retention.facts(), absentIds);
            List<Double> retained = new ArrayList<>();
            boolean exceededAtFirst = false;
            double best = Double.NEGATIVE_INFINITY;
            W bestWeights = start;
            int bestEpoch = 0;
            int sinceBest = 0;
            boolean stoppedEarly = false;
            long tokens = 0;
            int appliedInRound = 0;
            List<Epoch> epochs = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(config.seed());
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long e0 = System.nanoTime();
                List<QaSequence> order = shuffled(train, random);
                double ceSum = 0;
                double klSum = 0;
                int applied = 0;
                int skipped = 0;
                for (int from = 0; from < order.size(); from += config.batchSize()) {
                    if (Thread.currentThread().isInterrupted()) {
                        // Stopping between steps, never in one: native PyTorch code must not run while the JVM exits.
                        throw new CancellationException("fine-tuning stopped after " + (epoch - 1) + " epochs: interrupted");
                    }
                    List<QaSequence> batch = order.subList(from, Math.min(order.size(), from + config.batchSize()));
                    double[] losses = step(student, distillFrom, optimizer, trainable, manager, batch, absentIds);
                    if (losses == null) {
                        skipped++;
                    } else {
                        ceSum += losses[0];
                        klSum += losses[1];
                        applied++;
                        appliedInRound++;
                    }
                    tokens += batch.stream().mapToInt(q -> q.ids().length).sum();
                }
                double accuracy = accuracy(student, manager, dev, absentIds);
                epochs.add(new Epoch(epoch, applied == 0 ? Double.NaN : ceSum / applied,
                        applied == 0 ? Double.NaN : klSum / applied, accuracy, (System.nanoTime() - e0) / 1e9, skipped));
                if (retention != null) {
                    double kept = accuracy(student, manager, retention.facts(), absentIds);
                    retained.add(kept);
                    if (kept < retainedBefore - retention.maxDrop() - 1e-9) {
                        if (bestEpoch == 0) { // never the starting weights: the first epoch, flagged
                            exceededAtFirst = true;
                            bestWeights = student.toWeights();
                            bestEpoch = epoch;
                            best = accuracy;
                        }
                        stoppedEarly = epoch < config.epochs();
                        break;
                    }
                    if (dev.isEmpty()) { // the latest epoch within the guard: as much learning as it allows
                        bestWeights = student.toWeights();
                        bestEpoch = epoch;
                        continue;
                    }
                } else if (dev.isEmpty()) {
                    continue; // nothing to stop on: every epoch runs
                }
                if (accuracy > best) {
                    best = accuracy;
                    bestWeights = student.toWeights();
                    bestEpoch = epoch;
                    sinceBest = 0;
                } else if (++sinceBest >= config.patience()) {
                    stoppedEarly = epoch < config.epochs();
                    break;
                }
            }
            if (appliedInRound == 0) {
                // Publishing these weights would republish the parent under a new version.
                throw new IllegalStateException("every one of the round's "
                        + epochs.stream().mapToInt(Epoch::skippedSteps).sum()
                        + " steps had a non-finite loss or gradient; nothing was learned");
            }
            if (dev.isEmpty() && retention == null) {
                bestWeights = student.toWeights();
                bestEpoch = epochs.size();
            }
            RetentionLog log = retention == null ? null
                    : new RetentionLog(retainedBefore, List.copyOf(retained), retention.maxDrop(), exceededAtFirst);
            return new Result<>(bestWeights, epochs, bestEpoch, before, best, stoppedEarly, tokens,
                    (System.nanoTime() - t0) / 1e9, log);
        }
    }

    /** One optimisation step; returns {cross-entropy, KL} per answer token, or null when it was skipped. */
    private double[] step(TrainableDecoder<?> student, TrainableDecoder<?> teacher, AdamW optimizer, Map<String, NDArray> trainable,
                          NDManager parent, List<QaSequence> batch, long absentIds) {
        try (NDManager m = parent.newSubManager()) {
            NDArray[] inputs = tensors(m, batch);
            NDArray ids = inputs[0];
            NDArray mask = inputs[1];
            NDArray answers = inputs[2];
            NDArray teacherLogProbs = null;
            if (teacher != null) {
                // Computed outside the gradient collector: the teacher is a constant.
                teacherLogProbs = logProbs(teacher.forward(ids, mask, false).get(new NDIndex(":, :-1, :")), absentIds);
            }
            double ce;
            double kl = 0;
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                student.zeroGradients();
                NDArray logits = student.forward(ids, mask, true);
                NDArray loss = DjlGpt.loss(logits, ids, answers, absentIds);
                ce = loss.getFloat();
                if (teacherLogProbs != null) {
                    NDArray klLoss = answerKl(teacherLogProbs, logits, answers, absentIds);
                    kl = klLoss.getFloat();
                    loss = loss.add(klLoss.mul(DjlGpt.constant(m, (float) config.distillLambda())));
                }
                gc.backward(loss);
            }
            if (!Double.isFinite(ce) || !Double.isFinite(kl)
                    || !DjlGpt.clipGradientNorm(trainable.values(), GRAD_CLIP)) {
                student.clearGradients(); // the next step's g - g would keep the NaN
                return null; // a non-finite step is skipped, not applied
            }
            optimizer.step(trainable);
            return new double[]{ce, kl};
        }
    }

    /**
     * Log-probabilities over the logits' ids and, with {@code absentIds > 0}, one more column for all the
     * absent ids together (log(absentIds) - logZ: each has logit 0). Cross-entropy on present targets and
     * KL over these columns equal those over the whole vocabulary, since every absent id has the same
     * probability under one model.
     */
    static NDArray logProbs(NDArray logits, long absentIds) {
        if (absentIds == 0) {
            return logits.logSoftmax(-1);
        }
        NDArray absent = logits.get(new NDIndex(":, :, :1")).zerosLike().add((float) Math.log(absentIds));
        return logits.concat(absent, -1).logSoftmax(-1);
    }

    /** Mean KL(teacher || student) per answer token (the positions that predict answer tokens). */
    private static NDArray answerKl(NDArray teacherLogProbs, NDArray studentLogits, NDArray answers, long absentIds) {
        NDArray studentLogProbs = logProbs(studentLogits.get(new NDIndex(":, :-1, :")), absentIds);
        NDArray perPosition = teacherLogProbs.exp().mul(teacherLogProbs.sub(studentLogProbs)).sum(new int[]{-1});
        NDArray w = answers.get(new NDIndex(":, 1:")).toType(DataType.FLOAT32, false);
        return perPosition.mul(w).sum().div(w.sum().maximum(1f));
    }

    /**
     * How far {@code student} has moved from {@code teacher} on these sequences: mean KL(teacher ||
     * student) per answer token, the quantity self-distillation keeps small.
     */
    public static double answerKl(GptWeights teacher, GptWeights student, List<QaSequence> sequences) {
        return answerKl(Architecture.GPT, teacher, student, sequences);
    }

    /** As {@link #answerKl(GptWeights, GptWeights, List)}, for any architecture. */
    public static <W> double answerKl(Architecture<W> architecture, W teacher, W student, List<QaSequence> sequences) {
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager();
             TrainableDecoder<W> t = architecture.open().apply(m, teacher);
             TrainableDecoder<W> st = architecture.open().apply(m, student)) {
            NDArray[] in = tensors(m, sequences);
            NDArray teacherLogProbs = t.forward(in[0], in[1], false).get(new NDIndex(":, :-1, :")).logSoftmax(-1);
            return answerKl(teacherLogProbs, st.forward(in[0], in[1], false), in[2], 0).getFloat();
        }
    }

    /** ids, attention mask and answer-target mask, right-padded with 0. */
    private static NDArray[] tensors(NDManager m, List<QaSequence> batch) {
        int rows = batch.size();
        int s = batch.stream().mapToInt(q -> q.ids().length).max().orElseThrow();
        long[] ids = new long[rows * s];
        long[] mask = new long[rows * s];
        long[] answers = new long[rows * s];
        for (int r = 0; r < rows; r++) {
            QaSequence q = batch.get(r);
            for (int t = 0; t < q.ids().length; t++) {
                ids[r * s + t] = q.ids()[t];
                mask[r * s + t] = 1;
                answers[r * s + t] = t >= q.answerStart() ? 1 : 0;
            }
        }
        Shape shape = new Shape(rows, s);
        return new NDArray[]{m.create(ids, shape), m.create(mask, shape), m.create(answers, shape)};
    }

    /** Share of sequences whose every answer token and terminator is its position's argmax. */
    public static double accuracy(TrainableDecoder<?> gpt, NDManager parent, List<QaSequence> sequences) {
        return accuracy(gpt, parent, sequences, 0);
    }

    /** As {@link #accuracy(TrainableDecoder, NDManager, List)} with {@code absentIds} more ids at logit 0. */
    static double accuracy(TrainableDecoder<?> gpt, NDManager parent, List<QaSequence> sequences, long absentIds) {
        if (sequences.isEmpty()) {
            return 0;
        }
        int right = 0;
        for (int from = 0; from < sequences.size(); from += 64) {
            List<QaSequence> batch = sequences.subList(from, Math.min(sequences.size(), from + 64));
            try (NDManager m = parent.newSubManager()) {
                NDArray[] in = tensors(m, batch);
                int s = (int) in[0].getShape().get(1);
                NDArray logits = gpt.forward(in[0], in[1], false);
                if (absentIds > 0) { // an absent id (logit 0) wins where every logit is below 0: never a target
                    logits = logits.concat(logits.get(new NDIndex(":, :, :1")).zerosLike(), -1);
                }
                long[] argmax = logits.argMax(-1).toType(DataType.INT64, false).toLongArray();
                for (int r = 0; r < batch.size(); r++) {
                    QaSequence q = batch.get(r);
                    boolean ok = true;
                    for (int t = q.answerStart(); t < q.ids().length && ok; t++) {
                        ok = argmax[r * s + t - 1] == q.ids()[t];
                    }
                    right += ok ? 1 : 0;
                }
            }
        }
        return (double) right / sequences.size();
    }

    private static List<QaSequence> shuffled(List<QaSequence> items, SplittableRandom random) {
        List<QaSequence> copy = new ArrayList<>(items);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            QaSequence tmp = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, tmp);
        }
        return copy;
    }
}
