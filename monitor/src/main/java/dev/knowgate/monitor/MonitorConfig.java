package dev.knowgate.monitor;

import dev.knowgate.service.auth.OperatorKeysConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The monitor's settings, under {@code knowgate.monitor}; documented in docs/monitor.md. */
@ConfigMapping(prefix = "knowgate.monitor")
public interface MonitorConfig {

    /** The version rates are compared with (its lineage's first version when it has no results). */
    @WithDefault("1")
    long baselineVersion();

    /**
     * Versions per model whose forgetting-rate and accuracy gauges are exported: the newest ones, and
     * the live one always. Older versions stay in GET /v1/versions; their series end.
     */
    @WithDefault("10")
    int gaugeVersions();

    Probes probes();

    Gate gate();

    /** Operator keys: who may promote and reject versions by hand. */
    OperatorKeysConfig auth();

    Flagging flagging();

    UnknownShare unknownShare();

    Lease lease();

    /**
     * One monitor acts at a time: an instance starts its work (Kafka Streams, probe requests,
     * webhooks, HTTP) only once it holds the lease, the one partition of models.decisions in a
     * consumer group of its own; another instance waits as a standby until the holder is gone.
     */
    interface Lease {
        /** Off: no lease, for a deployment that guarantees one instance by other means. */
        @WithDefault("true")
        boolean enabled();

        /** The lease's consumer group (nothing is read or committed in it: membership only). */
        @WithDefault("knowgate-monitor-lease")
        String group();

        /**
         * A holder that stops heartbeating (crashed, cut off) loses the lease after this long, and a
         * standby takes over; a holder that stops cleanly hands it over at once.
         */
        @WithDefault("15s")
        Duration sessionTimeout();
    }

    interface Probes {
        /** world (the fact world's held-out probes) or file (JSONL of examples). */
        @WithDefault("world")
        String source();

        /** With source=file: one Example JSON per line; purpose is set to probe. */
        Optional<Path> file();

        /** With source=world: the world's seed and preset (those the base model was trained on). */
        @WithDefault("42")
        long worldSeed();

        @WithDefault("standard")
        String worldPreset();

        /** Re-probe the newest version this often; 0 turns it off. */
        @WithDefault("0s")
        Duration reprobeInterval();
    }

    interface Gate {
        /**
         * On: a new version is a candidate until its whole probe evaluation decides it. Off: every
         * version is promoted as soon as it is announced (and evaluated while it already serves).
         */
        @WithDefault("true")
        boolean enabled();

        /** A candidate forgetting more than this share of the probes the base answers is rejected. */
        @WithDefault("0.03")
        double maxForgetting();

        /** A candidate whose probe accuracy is below the base's by more than this is rejected. */
        @WithDefault("0.05")
        double maxAccuracyDrop();

        /** A candidate whose evaluation makes no progress for this long is rejected. */
        @WithDefault("15m")
        Duration evaluationTimeout();
    }

    interface Flagging {
        /**
         * A version is judged once it has results for this share of the probe set: a partial
         * evaluation, its results still arriving, raises no alert.
         */
        @WithDefault("0.95")
        double minCoverage();

        /** Baseline exceeded: forgetting rate above the baseline's by more than this (absolute). */
        @WithDefault("0.05")
        double forgettingMargin();

        /** Rising trend over the last k versions ... */
        @WithDefault("5")
        int trendVersions();

        /** ... with at least this many versions ... */
        @WithDefault("3")
        int trendMinPoints();

        /** ... when the Theil-Sen slope of the forgetting rate per version exceeds this. */
        @WithDefault("0.02")
        double trendSlope();
    }

    interface UnknownShare {
        /** Tumbling window of the share of Unknown verdicts among incoming training examples. */
        @WithDefault("1m")
        Duration window();

        /** Windows with fewer examples are shown but not tested. */
        @WithDefault("20")
        int minExamples();

        /** The expected share; unset: learned from the first warm-up windows. */
        Optional<Double> target();

        @WithDefault("5")
        int warmupWindows();

        /** CUSUM allowance k (share per window). */
        @WithDefault("0.05")
        double slack();

        /** CUSUM decision limit h. */
        @WithDefault("0.3")
        double threshold();

        /** Windows kept for the dashboard and GET /v1/mix. */
        @WithDefault("360")
        int keepWindows();
    }
}
