package dev.knowgate.monitor.flagging;

import java.util.Objects;

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
public record FlagSettings(int minProbes, double forgettingMargin, int trendVersions, int trendMinPoints,
                           double trendSlope) {

    public FlagSettings {
        if (minProbes < 1 || !(forgettingMargin >= 0) || trendVersions < 2 || trendMinPoints < 2
                || trendMinPoints > trendVersions || !(trendSlope >= 0)) {
            throw new IllegalArgumentException("invalid knowgate.monitor.flagging settings");
        }
    }

    /** Settings by name, not by position: several of them are numbers of the same type. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting must be given (a missing one is a NullPointerException naming it); the constructor validates. */
    public static final class Builder {
        private Integer minProbes;
        private Double forgettingMargin;
        private Integer trendVersions;
        private Integer trendMinPoints;
        private Double trendSlope;

        private Builder() {
        }

        public Builder minProbes(int minProbes) {
            this.minProbes = minProbes;
            return this;
        }

        public Builder forgettingMargin(double forgettingMargin) {
            this.forgettingMargin = forgettingMargin;
            return this;
        }

        public Builder trendVersions(int trendVersions) {
            this.trendVersions = trendVersions;
            return this;
        }

        public Builder trendMinPoints(int trendMinPoints) {
            this.trendMinPoints = trendMinPoints;
            return this;
        }

        public Builder trendSlope(double trendSlope) {
            this.trendSlope = trendSlope;
            return this;
        }

        public FlagSettings build() {
            return new FlagSettings(
                    Objects.requireNonNull(minProbes, "minProbes"),
                    Objects.requireNonNull(forgettingMargin, "forgettingMargin"),
                    Objects.requireNonNull(trendVersions, "trendVersions"),
                    Objects.requireNonNull(trendMinPoints, "trendMinPoints"),
                    Objects.requireNonNull(trendSlope, "trendSlope"));
        }
    }
}
