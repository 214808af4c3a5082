package dev.knowgate.contracts;

import java.time.Instant;

/**
 * A decision about a model version, the value on models.decisions (keyed name@version): promoted
 * (it goes live: categorize-stream serves it, the trainer continues from it) or rejected (it never
 * serves). The monitor decides a candidate on its whole probe evaluation; an operator can decide by
 * hand. The topic is an audit log read from the start: {@link PromotionLedger} says what is live.
 *
 * @param model        registry name
 * @param modelVersion the version decided on
 * @param parent       the version it was trained from; null for a base
 * @param status       promoted or rejected
 * @param decidedBy    {@code monitor} (the gate), or {@code operator:<name>} (by hand)
 * @param reason       why, in words
 * @param evidence     the probe evaluation behind it; null when none was complete (a base, the gate
 *                     off, a timed-out evaluation, a decision by hand before the evaluation)
 * @param decidedAt    when
 */
public record ModelDecision(
        String model,
        long modelVersion,
        Long parent,
        DecisionStatus status,
        String decidedBy,
        String reason,
        GateEvidence evidence,
        Instant decidedAt) {

    public static final String BY_MONITOR = "monitor";
    public static final String BY_OPERATOR = "operator:";
    public static final int MAX_REASON_LENGTH = 2_048;

    public ModelDecision {
        Require.modelName("model", model);
        Require.atLeast("modelVersion", modelVersion, 1L);
        if (parent != null && (parent < 1 || parent >= modelVersion)) {
            throw ContractViolation.invalid("parent", "must be an earlier version (1 to " + (modelVersion - 1) + "), got " + parent);
        }
        Require.present("status", status);
        Require.token("decidedBy", decidedBy, Example.MAX_LABEL_LENGTH);
        if (!decidedBy.equals(BY_MONITOR) && !(decidedBy.startsWith(BY_OPERATOR) && decidedBy.length() > BY_OPERATOR.length())) {
            throw ContractViolation.invalid("decidedBy", "must be " + Require.quote(BY_MONITOR) + " or "
                    + Require.quote(BY_OPERATOR + "<name>") + ", got " + Require.quote(decidedBy));
        }
        Require.text("reason", reason, MAX_REASON_LENGTH);
        Require.present("decidedAt", decidedAt);
    }

    /** The key on models.decisions: the version's key, name@version. */
    public String key() {
        return ModelVersion.keyOf(model, modelVersion);
    }

    public boolean byOperator() {
        return decidedBy.startsWith(BY_OPERATOR);
    }

    public boolean promoted() {
        return status == DecisionStatus.PROMOTED;
    }
}
