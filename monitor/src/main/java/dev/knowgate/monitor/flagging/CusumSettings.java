package dev.knowgate.monitor.flagging;

import io.soabase.recordbuilder.core.RecordBuilder;

import java.time.Duration;

/**
 * The change-point test on the share of Unknown verdicts among incoming training examples
 * (knowgate.monitor.unknown-share.*).
 *
 * @param window         tumbling window of the share
 * @param minExamples    windows with fewer examples are shown but not tested
 * @param target         the expected share; negative: learned as the mean of the first warm-up windows
 * @param warmupWindows  windows the target is learned from
 * @param slack          CUSUM allowance k: drift smaller than this per window is ignored
 * @param threshold      CUSUM decision limit h: an alert fires when the sum exceeds it
 * @param keepWindows    windows kept for the dashboard
 */
@RecordBuilder
@RecordBuilder.Options(builderMode = RecordBuilder.BuilderMode.STAGED)
public record CusumSettings(Duration window, int minExamples, double target, int warmupWindows, double slack,
                            double threshold, int keepWindows) {

    public CusumSettings {
        if (window.isNegative() || window.isZero() || minExamples < 1 || target > 1 || warmupWindows < 1
                || !(slack >= 0) || !(threshold > 0) || keepWindows < 1) {
            throw new IllegalArgumentException("invalid knowgate.monitor.unknown-share settings");
        }
    }

    /**
     * Settings by name, not by position (several of them are numbers of the same type):
     * every one in order, the compiler refusing {@code build()} until all are given; the
     * constructor checks the values.
     */
    public static CusumSettingsBuilder.WindowStage builder() {
        return CusumSettingsBuilder.builder();
    }
}
