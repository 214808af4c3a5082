package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a verdict's K prompt sets were drawn: for the example alone (the paper's protocol), or shared
 * by the examples of its relation under one model version (so their prefixes are computed once).
 */
public enum PromptSharing implements WireEnum {
    PER_EXAMPLE("per-example"),
    PER_RELATION("per-relation");

    private final String wireName;

    PromptSharing(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static PromptSharing fromWire(String wireName) {
        return WireEnum.parse(PromptSharing.class, wireName);
    }
}
