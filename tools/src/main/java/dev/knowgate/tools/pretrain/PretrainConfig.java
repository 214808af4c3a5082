package dev.knowgate.tools.pretrain;

import dev.knowgate.world.QaFormat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Options of one pre-training run (see {@link PretrainCommand} for the flags).
 *
 * @param maxMinutes stop training after this many minutes (0 = no limit); the model is still exported
 * @param maxSteps   stop after this many optimiser steps (0 = no limit; for tests)
 * @param threads    PyTorch intra-op threads (0 = one per core)
 * @param warmupFraction share of the planned steps spent in linear warm-up (then cosine decay to
 *                   {@code minLrRatio} x lr)
 * @param name       the model version's name
 * @param tokenizer  a published tokenizer.json to train with (null: the world's own word-level
 *                   tokenizer, written from its vocabulary)
 * @param terminator what ends every answer: {@code <eoa>} with the world's tokenizer, for example a
 *                   newline with a real one (see {@link QaFormat#terminatedBy})
 */
public record PretrainConfig(long seed, String preset, Path out, int dModel, int layers, int heads,
                             int maxPositions, int epochs, int batchSize, float lr, int threads,
                             double maxMinutes, int maxSteps, double warmupFraction, double minLrRatio,
                             float weightDecay, boolean force, String name, Path tokenizer, String terminator) {

    public PretrainConfig {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(terminator, "terminator");
        if (tokenizer == null && !terminator.equals(QaFormat.ANSWER_TERMINATOR)) {
            throw new IllegalArgumentException("the world's tokenizer ends answers with "
                    + QaFormat.ANSWER_TERMINATOR + "; another terminator needs --tokenizer");
        }
        if (dModel < 1 || layers < 1 || heads < 1 || dModel % heads != 0) {
            throw new IllegalArgumentException("invalid model shape: d-model " + dModel + ", layers " + layers
                    + ", heads " + heads);
        }
        if (maxPositions < 8 || epochs < 1 || batchSize < 1 || !(lr > 0) || threads < 0 || maxMinutes < 0
                || maxSteps < 0 || !(warmupFraction >= 0 && warmupFraction < 1)
                || !(minLrRatio >= 0 && minLrRatio <= 1) || weightDecay < 0) {
            throw new IllegalArgumentException("invalid training options");
        }
    }

    public static PretrainConfig defaults() {
        return new PretrainConfig(42L, "standard", Path.of("var/models/knowgate-base-1"), 128, 4, 4, 128, 7, 16,
                3e-3f, 0, 0, 0, 0.02, 0.1, 0.01f, false, Pretrainer.MODEL_NAME, null,
                QaFormat.ANSWER_TERMINATOR);
    }

    public PretrainConfig withOut(Path newOut) {
        return new PretrainConfig(seed, preset, newOut, dModel, layers, heads, maxPositions, epochs, batchSize, lr,
                threads, maxMinutes, maxSteps, warmupFraction, minLrRatio, weightDecay, force, name, tokenizer,
                terminator);
    }

    /** For training-log.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("preset", preset);
        m.put("dModel", dModel);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("dFf", 4 * dModel);
        m.put("maxPositions", maxPositions);
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("lr", lr);
        m.put("warmupFraction", warmupFraction);
        m.put("minLrRatio", minLrRatio);
        m.put("weightDecay", weightDecay);
        m.put("threads", threads);
        m.put("maxMinutes", maxMinutes);
        m.put("maxSteps", maxSteps);
        m.put("name", name);
        m.put("tokenizer", tokenizer == null ? "world word-level" : tokenizer.toString());
        m.put("terminator", terminator);
        return m;
    }
}
