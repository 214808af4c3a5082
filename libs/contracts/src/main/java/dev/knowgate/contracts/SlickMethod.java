package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a verdict's probabilities were obtained: exact by teacher forcing, or estimated by sampling as in the paper. */
public enum SlickMethod implements WireEnum {
    EXACT("exact"),
    SAMPLED("sampled");

    private final String wireName;

    SlickMethod(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static SlickMethod fromWire(String wireName) {
        return WireEnum.parse(SlickMethod.class, wireName);
    }
}
