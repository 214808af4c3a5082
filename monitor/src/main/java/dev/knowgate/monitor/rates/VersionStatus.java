package dev.knowgate.monitor.rates;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a version stands in its lifecycle, by the decision in force (GET /v1/versions). */
public enum VersionStatus {
    /** The lineage's baseline: never gated, compared with by every other version. */
    BASE,
    /** Announced, not decided yet: its probe evaluation is running. It serves no verdict. */
    CANDIDATE,
    /** Promoted: it went live (it may have been replaced by a later one since). */
    PROMOTED,
    /** Rejected: it never serves. */
    REJECTED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
