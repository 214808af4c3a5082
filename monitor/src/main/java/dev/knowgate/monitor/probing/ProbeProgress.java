package dev.knowgate.monitor.probing;

/**
 * What the probe requester needs to know of the monitor's state: whether a version's evaluation already has its
 * answers (then a restart does not request it again). The stores' query side implements it, so this package
 * depends on no other part of the monitor.
 */
public interface ProbeProgress {

    /** Whether {@code model}@{@code version} already has at least {@code min} probe results. */
    boolean hasProbeResults(String model, long version, int min);
}
