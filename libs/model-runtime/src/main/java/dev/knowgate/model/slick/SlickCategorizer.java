package dev.knowgate.model.slick;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.SlickMethod;

import java.util.List;

/** SliCK over a batch of questions, by teacher forcing ({@link ExactSlick}) or by decoding ({@link SampledSlick}). */
public interface SlickCategorizer {

    SlickMethod method();

    /** The longest token sequence the question needs over its K prompts (prompt, answer, terminator). */
    int tokensNeeded(SlickQuestion question);

    /** The verdicts, in order; every question must fit the model's positions. */
    List<SlickResult> categorize(List<SlickQuestion> questions) throws OrtException;
}
