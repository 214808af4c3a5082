package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.ProbeResult;

/**
 * One thing that happened to a lineage, from one of three topics merged into one stream so that a
 * single task sees them in one order: a version announced (models), a probe answered
 * (probes.results), a decision made (models.decisions). Exactly one field is set.
 */
public record LineageEvent(ModelVersion announced, ProbeResult result, ModelDecision decision) {

    public static LineageEvent of(ModelVersion v) {
        return new LineageEvent(v, null, null);
    }

    public static LineageEvent of(ProbeResult r) {
        return new LineageEvent(null, r, null);
    }

    public static LineageEvent of(ModelDecision d) {
        return new LineageEvent(null, null, d);
    }

    /** The lineage (registry name) it belongs to: the stream's key. */
    public String model() {
        return announced != null ? announced.name() : result != null ? result.model() : decision.model();
    }
}
