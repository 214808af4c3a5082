package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Why an example was submitted: to be trained on, or to probe what a model version knows. */
public enum Purpose implements WireEnum {
    TRAINING("training"),
    PROBE("probe");

    private final String wireName;

    Purpose(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Purpose fromWire(String wireName) {
        return WireEnum.parse(Purpose.class, wireName);
    }
}
