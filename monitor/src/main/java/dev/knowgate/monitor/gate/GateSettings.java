package dev.knowgate.monitor.gate;

import java.time.Duration;
import java.util.Objects;

/**
 * The promotion gate (knowgate.monitor.gate.*, documented in docs/monitor.md).
 *
 * @param enabled           off: every version is promoted as soon as it is announced (what the gate prevents shows)
 * @param maxForgetting     a candidate forgetting more of the base's known probes than this is rejected
 * @param maxAccuracyDrop   ... and so is one whose probe accuracy is below the base's by more than this
 * @param evaluationTimeout a candidate whose evaluation makes no progress for this long is rejected
 */
public record GateSettings(boolean enabled, double maxForgetting, double maxAccuracyDrop, Duration evaluationTimeout) {

    public GateSettings {
        if (!(maxForgetting >= 0 && maxForgetting <= 1)) {
            throw new IllegalArgumentException("knowgate.monitor.gate.max-forgetting must be in [0, 1], got " + maxForgetting);
        }
        if (!(maxAccuracyDrop >= 0 && maxAccuracyDrop <= 1)) {
            throw new IllegalArgumentException("knowgate.monitor.gate.max-accuracy-drop must be in [0, 1], got " + maxAccuracyDrop);
        }
        if (evaluationTimeout.isNegative() || evaluationTimeout.isZero()) {
            throw new IllegalArgumentException("knowgate.monitor.gate.evaluation-timeout must be > 0, got " + evaluationTimeout);
        }
    }

    public static GateSettings defaults() {
        return builder().enabled(true).maxForgetting(0.03).maxAccuracyDrop(0.05).evaluationTimeout(Duration.ofMinutes(15)).build();
    }

    /** Settings by name, not by position: several of them are numbers of the same type. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting must be given (a missing one is a NullPointerException naming it); the constructor validates. */
    public static final class Builder {
        private Boolean enabled;
        private Double maxForgetting;
        private Double maxAccuracyDrop;
        private Duration evaluationTimeout;

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder maxForgetting(double maxForgetting) {
            this.maxForgetting = maxForgetting;
            return this;
        }

        public Builder maxAccuracyDrop(double maxAccuracyDrop) {
            this.maxAccuracyDrop = maxAccuracyDrop;
            return this;
        }

        public Builder evaluationTimeout(Duration evaluationTimeout) {
            this.evaluationTimeout = evaluationTimeout;
            return this;
        }

        public GateSettings build() {
            return new GateSettings(
                    Objects.requireNonNull(enabled, "enabled"),
                    Objects.requireNonNull(maxForgetting, "maxForgetting"),
                    Objects.requireNonNull(maxAccuracyDrop, "maxAccuracyDrop"),
                    Objects.requireNonNull(evaluationTimeout, "evaluationTimeout"));
        }
    }
}
