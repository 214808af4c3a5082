package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which detector fired an alert. */
public enum AlertKind implements WireEnum {
    BASELINE_EXCEEDED("baseline_exceeded"),
    RISING_TREND("rising_trend"),
    CHANGE_POINT("change_point"),
    /** The gate rejected a candidate version; resolved when a later version of the lineage is promoted. */
    CANDIDATE_REJECTED("candidate_rejected");

    private final String wireName;

    AlertKind(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static AlertKind fromWire(String wireName) {
        return WireEnum.parse(AlertKind.class, wireName);
    }
}
