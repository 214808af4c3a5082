package dev.knowgate.trainer.round;

import java.util.Locale;

/**
 * What the trainer does when the monitor rejects the version a round produced.
 *
 * @param onReject                retry the round's examples, or park them at once
 * @param maxRetries              retries before the examples are parked
 * @param retryDistillFactor      each retry multiplies the self-distillation weight by this
 * @param retryLearningRateFactor each retry multiplies the learning rate by this
 */
public record GatePolicy(OnReject onReject, int maxRetries, double retryDistillFactor, double retryLearningRateFactor) {

    /** The defaults of knowgate.trainer.gate.retry-*: docs/trainer.md says why. */
    public static final double DEFAULT_DISTILL_FACTOR = 1;
    public static final double DEFAULT_LEARNING_RATE_FACTOR = 0.5;

    public enum OnReject {
        /** Train the same examples again from the last promoted version, distilling harder; park when that is rejected too. */
        RETRY,
        /** Set the examples aside on examples.parked, with the rejected version and the reason. */
        PARK
    }

    public GatePolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("knowgate.trainer.gate.max-retries must be >= 0, got " + maxRetries);
        }
        if (!(retryDistillFactor >= 1)) {
            throw new IllegalArgumentException("knowgate.trainer.gate.retry-distill-factor must be >= 1, got " + retryDistillFactor);
        }
        if (!(retryLearningRateFactor > 0 && retryLearningRateFactor <= 1)) {
            throw new IllegalArgumentException("knowgate.trainer.gate.retry-learning-rate-factor must be in (0, 1], got "
                    + retryLearningRateFactor);
        }
    }

    public static GatePolicy parse(String onReject, int maxRetries, double retryDistillFactor, double retryLearningRateFactor) {
        try {
            return new GatePolicy(OnReject.valueOf(onReject.trim().toUpperCase(Locale.ROOT)), maxRetries, retryDistillFactor,
                    retryLearningRateFactor);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("knowgate.")) {
                throw e;
            }
            throw new IllegalArgumentException("knowgate.trainer.gate.on-reject must be retry or park, got '" + onReject + "'");
        }
    }

    public static GatePolicy defaults() {
        return new GatePolicy(OnReject.RETRY, 1, DEFAULT_DISTILL_FACTOR, DEFAULT_LEARNING_RATE_FACTOR);
    }

    /** Whether a round rejected at this attempt (0 = its first training) is trained again. */
    public boolean retries(int attempt) {
        return onReject == OnReject.RETRY && attempt < maxRetries;
    }

    /** How the round's {@code attempt}-th training (0: the first) differs from the configured one. */
    public dev.knowgate.trainer.backend.RoundDataset.Retry retry(int attempt) {
        return new dev.knowgate.trainer.backend.RoundDataset.Retry(attempt, Math.pow(retryDistillFactor, attempt),
                Math.pow(retryLearningRateFactor, attempt));
    }
}
