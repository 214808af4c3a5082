package dev.knowgate.monitor.gate;

import java.time.Duration;

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
        return new GateSettings(true, 0.03, 0.05, Duration.ofMinutes(15));
    }
}
