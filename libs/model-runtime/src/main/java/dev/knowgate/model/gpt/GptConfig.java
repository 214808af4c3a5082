package dev.knowgate.model.gpt;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Shape of the project's decoder-only transformer (pre-LayerNorm GPT-2, tied LM head).
 * See docs/onnx-export.md for the exact architecture.
 *
 * @param vocabSize    number of token ids
 * @param maxPositions number of learned positions (longest sequence the model takes)
 * @param dModel       width of the residual stream
 * @param nHeads       attention heads; must divide dModel
 * @param nLayers      transformer blocks
 * @param dFf          width of the MLP's hidden layer (usually 4 * dModel)
 * @param layerNormEps epsilon of every LayerNorm (GPT-2: 1e-5)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GptConfig(int vocabSize, int maxPositions, int dModel, int nHeads, int nLayers, int dFf,
                        double layerNormEps) {

    public static final double DEFAULT_LAYER_NORM_EPS = 1e-5;

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The manifest architecture of models of this shape (our GPT-2 style decoder). */
    public static final String ARCHITECTURE = "knowgate-gpt";

    public GptConfig {
        positive("vocabSize", vocabSize);
        positive("maxPositions", maxPositions);
        positive("dModel", dModel);
        positive("nHeads", nHeads);
        positive("nLayers", nLayers);
        positive("dFf", dFf);
        if (dModel % nHeads != 0) {
            throw new IllegalArgumentException("dModel (" + dModel + ") must be a multiple of nHeads (" + nHeads + ")");
        }
        if (!(layerNormEps > 0) || layerNormEps >= 1 || Double.isNaN(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be in (0, 1), got " + layerNormEps);
        }
        // Tensors are Java arrays: every weight must fit in one float[].
        long biggest = Math.max(Math.max((long) vocabSize * dModel, (long) maxPositions * dModel),
                Math.max(3L * dModel * dModel, (long) dModel * dFf));
        if (biggest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a weight tensor would have " + biggest + " elements, too many for one array");
        }
    }

    /** A config with the GPT-2 LayerNorm epsilon 1e-5. */
    public static GptConfig of(int vocabSize, int maxPositions, int dModel, int nHeads, int nLayers, int dFf) {
        return new GptConfig(vocabSize, maxPositions, dModel, nHeads, nLayers, dFf, DEFAULT_LAYER_NORM_EPS);
    }

    /** dModel / nHeads. */
    public int headDim() {
        return dModel / nHeads;
    }

    /** Number of float parameters (tied LM head counted once). */
    public long parameterCount() {
        long d = dModel;
        long perLayer = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * dFf + dFf) + ((long) dFf * d + d);
        return (long) vocabSize * d + (long) maxPositions * d + nLayers * perLayer + 2 * d;
    }

    /** Compact JSON with the record's component names, in declaration order (stable bytes). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses {@link #toJson()}'s form; unknown keys are ignored, a missing or invalid value is refused. */
    public static GptConfig fromJson(String json) {
        try {
            GptConfig c = JSON.readValue(json, GptConfig.class);
            if (c == null) {
                throw new IllegalArgumentException("GPT config JSON is null");
            }
            return c;
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("invalid GPT config JSON: " + cause.getMessage(), e);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
