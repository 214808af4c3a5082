package dev.knowgate.monitor.flagging;

import java.time.Duration;
import java.util.Objects;

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
public record CusumSettings(Duration window, int minExamples, double target, int warmupWindows, double slack,
                            double threshold, int keepWindows) {

    public CusumSettings {
        if (window.isNegative() || window.isZero() || minExamples < 1 || target > 1 || warmupWindows < 1
                || !(slack >= 0) || !(threshold > 0) || keepWindows < 1) {
            throw new IllegalArgumentException("invalid knowgate.monitor.unknown-share settings");
        }
    }

    /** Settings by name, not by position: several of them are numbers of the same type. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting must be given (a missing one is a NullPointerException naming it); the constructor validates. */
    public static final class Builder {
        private Duration window;
        private Integer minExamples;
        private Double target;
        private Integer warmupWindows;
        private Double slack;
        private Double threshold;
        private Integer keepWindows;

        private Builder() {
        }

        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder minExamples(int minExamples) {
            this.minExamples = minExamples;
            return this;
        }

        public Builder target(double target) {
            this.target = target;
            return this;
        }

        public Builder warmupWindows(int warmupWindows) {
            this.warmupWindows = warmupWindows;
            return this;
        }

        public Builder slack(double slack) {
            this.slack = slack;
            return this;
        }

        public Builder threshold(double threshold) {
            this.threshold = threshold;
            return this;
        }

        public Builder keepWindows(int keepWindows) {
            this.keepWindows = keepWindows;
            return this;
        }

        public CusumSettings build() {
            return new CusumSettings(
                    Objects.requireNonNull(window, "window"),
                    Objects.requireNonNull(minExamples, "minExamples"),
                    Objects.requireNonNull(target, "target"),
                    Objects.requireNonNull(warmupWindows, "warmupWindows"),
                    Objects.requireNonNull(slack, "slack"),
                    Objects.requireNonNull(threshold, "threshold"),
                    Objects.requireNonNull(keepWindows, "keepWindows"));
        }
    }
}
