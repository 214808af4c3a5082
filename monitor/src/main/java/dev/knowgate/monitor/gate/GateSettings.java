package dev.knowgate.monitor.gate;

import io.soabase.recordbuilder.core.RecordBuilder;

import java.time.Duration;

/**
 * The promotion gate (knowgate.monitor.gate.*, documented in docs/monitor.md).
 *
 * @param enabled           off: every version is promoted as soon as it is announced (what the gate prevents shows)
 * @param maxForgetting     a candidate forgetting more of the base's known probes than this is rejected
 * @param maxAccuracyDrop   ... and so is one whose probe accuracy is below the base's by more than this
 * @param evaluationTimeout a candidate whose evaluation makes no progress for this long is rejected
 */
@RecordBuilder
@RecordBuilder.Options(builderMode = RecordBuilder.BuilderMode.STAGED)
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

    /**
     * Settings by name, not by position (several of them are numbers of the same type):
     * every one in order, the compiler refusing {@code build()} until all are given; the
     * constructor checks the values.
     */
    public static GateSettingsBuilder.EnabledStage builder() {
        return GateSettingsBuilder.builder();
    }
}
