package dev.knowgate.categorize.model;

import dev.knowgate.contracts.Evidence;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickResult;

import java.util.List;

/**
 * SliCK outcomes for a batch of examples under one model version.
 *
 * @param model          the version that computed every outcome
 * @param method         exact (teacher forcing) or sampled (decoding)
 * @param config         the protocol used
 * @param outcomes       one per example, in the order given
 * @param inferenceNanos model time for the whole batch
 */
public record CategorizedBatch(ModelRef model, SlickMethod method, SlickConfig config, List<Outcome> outcomes, long inferenceNanos) {

    public CategorizedBatch {
        outcomes = List.copyOf(outcomes);
    }

    /**
     * One example's outcome: a SliCK result, or why it could not be categorized.
     *
     * @param result        the verdict's numbers; null when the example does not fit the model
     * @param answeredPlain probes only: whether greedy decoding on the plain question is right; else null
     * @param unfitReason   why there is no result (e.g. longer than the model's positions); else null
     * @param evidence      training examples judged Unknown: the model's own answer and a hint; else null
     */
    public record Outcome(SlickResult result, Boolean answeredPlain, String unfitReason, Evidence evidence) {

        public Outcome(SlickResult result, Boolean answeredPlain, String unfitReason) {
            this(result, answeredPlain, unfitReason, null);
        }
    }
}
