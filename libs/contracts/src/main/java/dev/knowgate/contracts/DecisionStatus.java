package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What was decided about a model version: it goes live, or it never serves. */
public enum DecisionStatus implements WireEnum {
    PROMOTED("promoted"),
    REJECTED("rejected");

    private final String wireName;

    DecisionStatus(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static DecisionStatus fromWire(String wireName) {
        return WireEnum.parse(DecisionStatus.class, wireName);
    }
}
