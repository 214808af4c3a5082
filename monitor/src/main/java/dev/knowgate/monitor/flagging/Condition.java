package dev.knowgate.monitor.flagging;

import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.EvidencePoint;

import java.util.List;

/**
 * What a detector found on the latest data: whether its condition holds, and the numbers an alert
 * would carry. {@code key} names the condition ("baseline_exceeded-forgetting_rate-knowgate-base");
 * it fires at most once until it is resolved.
 *
 * @param value     the metric's value (a version's forgetting rate, a window's Unknown share)
 * @param statistic the detector's statistic when it is not the value (a slope, a CUSUM sum); else null
 * @param threshold the limit: of the statistic when there is one, else of the value
 */
public record Condition(String key, AlertKind kind, String metric, String model, Long modelVersion, boolean holds,
                        double value, Double statistic, double baseline, double threshold, List<EvidencePoint> evidence,
                        String message) {
}
