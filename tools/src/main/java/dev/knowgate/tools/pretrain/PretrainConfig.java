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
 * @param architecture {@value #GPT} (the project's GPT) or {@value #LLAMA} (RMSNorm, rotary
 *                   positions, SwiGLU, grouped-query attention; exported in optimum's layout)
 * @param kvHeads    key/value heads of the Llama architecture (divides heads; ignored for the GPT)
 */
public record PretrainConfig(long seed, String preset, Path out, int dModel, int layers, int heads,
                             int maxPositions, int epochs, int batchSize, float lr, int threads,
                             double maxMinutes, int maxSteps, double warmupFraction, double minLrRatio,
                             float weightDecay, boolean force, String name, Path tokenizer, String terminator,
                             String architecture, int kvHeads) {

    public static final String GPT = "knowgate-gpt";
    public static final String LLAMA = "llama";

    public PretrainConfig {
        if (!GPT.equals(architecture) && !LLAMA.equals(architecture)) {
            throw new IllegalArgumentException("--architecture must be " + GPT + " or " + LLAMA + ", got " + architecture);
        }
        if (kvHeads < 1 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("--kv-heads (" + kvHeads + ") must divide --heads (" + heads + ")");
        }
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
                QaFormat.ANSWER_TERMINATOR, GPT, 4);
    }

    public PretrainConfig withOut(Path newOut) {
        return new PretrainConfig(seed, preset, newOut, dModel, layers, heads, maxPositions, epochs, batchSize, lr,
                threads, maxMinutes, maxSteps, warmupFraction, minLrRatio, weightDecay, force, name, tokenizer,
                terminator, architecture, kvHeads);
    }

    /** The MLP's width: 4 d for the GPT; about 8/3 d, a multiple of 32, for SwiGLU (Llama's sizing). */
    public int dFf() {
        return architecture.equals(GPT) ? 4 * dModel : (8 * dModel / 3 + 31) / 32 * 32;
    }

    /** For training-log.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("preset", preset);
        m.put("dModel", dModel);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("architecture", architecture);
        if (architecture.equals(LLAMA)) {
            m.put("kvHeads", kvHeads);
        }
        m.put("dFf", dFf());
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
