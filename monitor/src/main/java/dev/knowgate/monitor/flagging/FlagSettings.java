package dev.knowgate.monitor.flagging;

import io.soabase.recordbuilder.core.RecordBuilder;


/**
 * Thresholds of the detectors (knowgate.monitor.flagging.*, documented in docs/monitor.md).
 *
 * @param minProbes          a version is judged once it has results for this many probes (the
 *                           configured coverage of the probe set)
 * @param forgettingMargin   baseline exceeded: forgetting rate above the baseline's by more than this
 * @param trendVersions      rising trend: the last k judged versions
 * @param trendMinPoints     ... of which at least this many
 * @param trendSlope         ... with a Theil-Sen slope of the forgetting rate above this, per version
 */
@RecordBuilder
@RecordBuilder.Options(builderMode = RecordBuilder.BuilderMode.STAGED)
public record FlagSettings(int minProbes, double forgettingMargin, int trendVersions, int trendMinPoints,
                           double trendSlope) {

    public FlagSettings {
        if (minProbes < 1 || !(forgettingMargin >= 0) || trendVersions < 2 || trendMinPoints < 2
                || trendMinPoints > trendVersions || !(trendSlope >= 0)) {
            throw new IllegalArgumentException("invalid knowgate.monitor.flagging settings");
        }
    }

    /**
     * Settings by name, not by position (several of them are numbers of the same type):
     * every one in order, the compiler refusing {@code build()} until all are given; the
     * constructor checks the values.
     */
    public static FlagSettingsBuilder.MinProbesStage builder() {
        return FlagSettingsBuilder.builder();
    }
}
