package dev.knowgate.monitor.flagging;

import dev.knowgate.contracts.Alert;

import java.util.ArrayList;
import java.util.List;

/**
 * A condition's alert life (state store value): the firing alert if any, how many times it fired,
 * and its recently resolved alerts (newest last).
 */
public record ConditionState(Alert active, int fired, List<Alert> resolved) {

    static final int KEEP_RESOLVED = 20;

    public ConditionState {
        resolved = List.copyOf(resolved);
    }

    public static ConditionState none() {
        return new ConditionState(null, 0, List.of());
    }

    ConditionState firing(Alert alert) {
        return new ConditionState(alert, fired + 1, resolved);
    }

    ConditionState updated(Alert alert) {
        return new ConditionState(alert, fired, resolved);
    }

    ConditionState resolvedWith(Alert resolvedAlert) {
        List<Alert> r = new ArrayList<>(resolved);
        r.add(resolvedAlert);
        while (r.size() > KEEP_RESOLVED) {
            r.remove(0);
        }
        return new ConditionState(null, fired, r);
    }
}
