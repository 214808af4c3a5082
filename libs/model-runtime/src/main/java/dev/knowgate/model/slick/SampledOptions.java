package dev.knowgate.model.slick;

/**
 * How sampled SliCK decodes.
 *
 * @param maxAnswerTokens answer tokens before the terminator; a decode that reaches this many
 *                        without the terminator is no answer
 * @param maxRowsPerBatch decoded sequences per decoder call (K x (1 + N) = 170 per example under the
 *                        paper's protocol); bounds the KV cache's memory
 */
public record SampledOptions(int maxAnswerTokens, int maxRowsPerBatch) {

    public SampledOptions {
        if (maxAnswerTokens < 1 || maxRowsPerBatch < 1) {
            throw new IllegalArgumentException("maxAnswerTokens and maxRowsPerBatch must be >= 1");
        }
    }

    /** 16 answer tokens (the world's answers are 1 to 4 words); 680 rows = 4 examples per call. */
    public static SampledOptions defaults() {
        return new SampledOptions(16, 680);
    }
}
