package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.ProbeResult;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest result of each probe under one version (a re-probe replaces earlier answers).
 *
 * @param evaluationId the evaluation of the latest result
 */
public record VersionProbes(long version, Map<String, ProbeOutcome> probes, Instant lastResultAt, String evaluationId) {

    public VersionProbes {
        probes = Map.copyOf(probes);
    }

    public static VersionProbes empty(long version) {
        return new VersionProbes(version, Map.of(), null, null);
    }

    public VersionProbes with(ProbeResult r) {
        Map<String, ProbeOutcome> next = new TreeMap<>(probes);
        next.put(r.probeId(), new ProbeOutcome(r.category(), r.answeredCorrectly()));
        Instant at = lastResultAt == null || r.computedAt().isAfter(lastResultAt) ? r.computedAt() : lastResultAt;
        return new VersionProbes(version, next, at, r.evaluationId());
    }
}
