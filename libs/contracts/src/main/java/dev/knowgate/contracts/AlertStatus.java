package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** An alert is firing until the monitor resolves it. */
public enum AlertStatus implements WireEnum {
    FIRING("firing"),
    RESOLVED("resolved");

    private final String wireName;

    AlertStatus(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static AlertStatus fromWire(String wireName) {
        return WireEnum.parse(AlertStatus.class, wireName);
    }
}
