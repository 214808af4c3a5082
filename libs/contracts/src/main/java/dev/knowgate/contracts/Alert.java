package dev.knowgate.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A monitor alert, fired or resolved: the value on the alerts topic. Resolving publishes the
 * same id again with status resolved, so a consumer keyed by id sees the alert's life.
 *
 * @param id           stable across firing and resolving
 * @param kind         which detector fired
 * @param status       firing, or resolved (then {@code resolvedAt} is set)
 * @param metric       what was measured, e.g. "forgetting_rate"
 * @param model        the model's registry name
 * @param modelVersion the version concerned (a trend's newest version); null for alerts on the incoming
 *                     stream (change_point)
 * @param value        the metric's value (e.g. the version's forgetting rate, the window's Unknown share)
 * @param statistic    the detector's statistic when it is not the value itself (the Theil-Sen slope of
 *                     a rising trend, the CUSUM sum of a change point); null otherwise
 * @param baseline     what the value is compared against
 * @param threshold    the limit crossed: of the statistic when there is one, else of the value
 * @param evidence     the observations behind it, oldest first
 * @param message      human-readable summary for webhooks and the dashboard
 * @param firedAt      when it fired
 * @param resolvedAt   when it was resolved; null while firing
 */
public record Alert(
        String id,
        AlertKind kind,
        AlertStatus status,
        String metric,
        String model,
        Long modelVersion,
        double value,
        Double statistic,
        double baseline,
        double threshold,
        List<EvidencePoint> evidence,
        String message,
        Instant firedAt,
        Instant resolvedAt) {

    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_EVIDENCE = 1_000;
    public static final int MAX_MESSAGE_LENGTH = 4_096;

    public Alert {
        Require.token("id", id, MAX_ID_LENGTH);
        Require.present("kind", kind);
        Require.present("status", status);
        Require.line("metric", metric, Example.MAX_LABEL_LENGTH);
        Require.modelName("model", model);
        if (modelVersion != null) {
            Require.atLeast("modelVersion", modelVersion, 1L);
        }
        Require.finite("value", value);
        if (statistic != null) {
            Require.finite("statistic", statistic);
        }
        Require.finite("baseline", baseline);
        Require.finite("threshold", threshold);
        evidence = Require.list("evidence", evidence, MAX_EVIDENCE, (path, point) -> point);
        Require.text("message", message, MAX_MESSAGE_LENGTH);
        Require.present("firedAt", firedAt);
        if (status == AlertStatus.RESOLVED) {
            Require.present("resolvedAt", resolvedAt);
            if (resolvedAt.isBefore(firedAt)) {
                throw ContractViolation.invalid("resolvedAt", "is before firedAt");
            }
        } else if (resolvedAt != null) {
            throw ContractViolation.invalid("resolvedAt", "must be absent while the alert is firing");
        }
    }

    /** The same alert, resolved at {@code at}. */
    public Alert resolve(Instant at) {
        return new Alert(id, kind, AlertStatus.RESOLVED, metric, model, modelVersion, value, statistic, baseline, threshold,
                evidence, message, firedAt, at);
    }
}
