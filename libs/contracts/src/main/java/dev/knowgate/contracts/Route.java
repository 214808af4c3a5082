package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where categorize-stream sent an example: to training, to quarantine, or to the monitor as a probe;
 * released: a quarantined example a curator sent to training on purpose (on examples.released, with
 * its Unknown verdict), which the trainer admits within its budget.
 */
public enum Route implements WireEnum {
    ACCEPTED("accepted"),
    QUARANTINED("quarantined"),
    PROBE("probe"),
    RELEASED("released");

    private final String wireName;

    Route(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Route fromWire(String wireName) {
        return WireEnum.parse(Route.class, wireName);
    }
}
