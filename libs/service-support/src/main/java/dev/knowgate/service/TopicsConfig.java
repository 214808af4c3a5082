package dev.knowgate.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** How a service provisions the pipeline's topics at start ({@code knowgate.topics.*}). */
@ConfigMapping(prefix = "knowgate.topics")
public interface TopicsConfig {

    /** Create missing topics at start. Turn off where a platform team owns topic creation. */
    @WithDefault("true")
    boolean provision();

    /**
     * Replication factor of topics this service creates. Unset, the broker's
     * {@code default.replication.factor} applies (1 on the local broker, what the cluster's owners
     * chose on a real one); a fixed 1 would silently leave a real cluster's topics unreplicated.
     */
    Optional<Short> replicationFactor();

    /** How long one Admin call may take before the attempt counts as failed. */
    @WithDefault("30s")
    Duration timeout();

    /** Pause between attempts while the broker is unreachable. */
    @WithDefault("2s")
    Duration retryInterval();
}
