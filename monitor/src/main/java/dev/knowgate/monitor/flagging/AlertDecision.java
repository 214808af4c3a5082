package dev.knowgate.monitor.flagging;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertStatus;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a condition into alert events without repeats: a condition that starts to hold fires one
 * alert (id = condition key and firing count); while it keeps holding for the same version nothing
 * more is sent, and when it holds for a newer version the same alert is sent again, still firing,
 * with that version's numbers (an active alert never shows a replaced version's value); when it
 * stops holding the alert is resolved (same id, status resolved).
 */
public final class AlertDecision {

    /** The next state, and the alert record to publish, if any. */
    public record Step(ConditionState state, Optional<Alert> publish) {
    }

    private AlertDecision() {
    }

    public static Step apply(ConditionState state, Condition c, Instant now) {
        ConditionState s = state == null ? ConditionState.none() : state;
        if (c.holds() && s.active() == null) {
            Alert alert = alert(c.key() + "-" + (s.fired() + 1), c, now);
            return new Step(s.firing(alert), Optional.of(alert));
        }
        if (c.holds() && !Objects.equals(s.active().modelVersion(), c.modelVersion())) {
            Alert updated = alert(s.active().id(), c, s.active().firedAt());
            return new Step(s.updated(updated), Optional.of(updated));
        }
        if (!c.holds() && s.active() != null) {
            Alert resolved = s.active().resolve(now.isBefore(s.active().firedAt()) ? s.active().firedAt() : now);
            return new Step(s.resolvedWith(resolved), Optional.of(resolved));
        }
        return new Step(s, Optional.empty());
    }

    private static Alert alert(String id, Condition c, Instant firedAt) {
        return new Alert(id, c.kind(), AlertStatus.FIRING, c.metric(), c.model(), c.modelVersion(), c.value(),
                c.statistic(), c.baseline(), c.threshold(), c.evidence(), c.message(), firedAt, null);
    }
}
