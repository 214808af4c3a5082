package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a curator reviewing an Unknown example needs to act on it: the model's own greedy answer
 * under the verdict's first prompt (one decode, not the sampled protocol), how sure the model is of
 * it, and a hint at what the difference may mean.
 *
 * @param modelAnswer the greedy answer; null when the model gave none within the answer budget
 * @param confidence  the probability (T=1) of that whole answer, terminator included; 0 without one
 * @param hint        what the difference between it and the gold answer may mean
 */
public record Evidence(String modelAnswer, double confidence, Hint hint) {

    /** Answers longer than this are cut (the decode's own budget is far smaller). */
    public static final int MAX_ANSWER_LENGTH = Example.MAX_ANSWER_LENGTH;

    /** What the model's answer suggests about the example. */
    public enum Hint implements WireEnum {
        /**
         * The model's answer and the gold one are nearly the same text (one contains the other's
         * words, or a small edit apart): a missing alias or a normalisation difference, not a fact the
         * model lacks.
         */
        NEAR_MATCH("near_match"),
        /** The model gives another answer with confidence: its knowledge, or the gold answer, may be wrong. */
        CONFIDENT_OTHER("confident_other"),
        /** Nothing stands out: most likely a fact the model does not know. */
        NONE("none");

        private final String wireName;

        Hint(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        @Override
        public String wireName() {
            return wireName;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Hint fromWire(String wireName) {
            return WireEnum.parse(Hint.class, wireName);
        }
    }

    public Evidence {
        if (modelAnswer != null) {
            Require.line("modelAnswer", modelAnswer, MAX_ANSWER_LENGTH);
        }
        Require.probability("confidence", confidence);
        Require.present("hint", hint);
    }

    /**
     * Evidence from a model's raw output, which no contract constrains: an answer that is not a
     * single visible line of at most {@value #MAX_ANSWER_LENGTH} characters after trimming counts as
     * no answer (and the hint should say nothing).
     */
    public static Evidence of(String rawAnswer, double confidence, Hint hint) {
        String answer = rawAnswer == null ? null : rawAnswer.strip();
        try {
            if (answer != null) {
                Require.line("modelAnswer", answer, MAX_ANSWER_LENGTH);
            }
        } catch (ContractViolation v) {
            answer = null;
        }
        double p = Double.isFinite(confidence) ? Math.max(0.0, Math.min(1.0, confidence)) : 0.0;
        return new Evidence(answer, answer == null ? 0.0 : p, answer == null ? Hint.NONE : hint);
    }
}
