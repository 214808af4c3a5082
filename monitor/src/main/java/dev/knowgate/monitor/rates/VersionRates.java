package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.RoundSummary;

import java.time.Instant;
import java.util.Map;

/**
 * A version's rates on the probe set and where it stands (GET /v1/versions).
 *
 * @param parent          the version it was trained from; null for a base or when not announced
 * @param status          base, candidate, promoted or rejected, by the decision in force
 * @param live            whether it is the lineage's live version now
 * @param baselineVersion the version it is compared with (the lineage's base)
 * @param probesTotal     probes in the probe set
 * @param probes          probes answered under this very version
 * @param accuracy        share of the answered probes it answers correctly (greedy exact match on the
 *                        plain question)
 * @param forgettingRate  of the probes the baseline answers correctly, the share this version answers
 *                        wrongly: the hallucination rate on pre-existing knowledge; the baseline's is 0
 * @param knownAtBaseline the denominator of the forgetting rate (probes answered under both)
 * @param forgotten       its numerator
 * @param transitions     category under the baseline to category under this version, counts
 * @param evaluationId    the probe evaluation of the latest answer; null before any
 * @param decision        the decision in force, with its evidence; null while a candidate
 * @param round           the round that produced it (examples by category, what it learned); null for a base
 */
public record VersionRates(String model, long version, String key, Long parent, VersionStatus status, boolean live,
                           long baselineVersion, int probesTotal, int probes, double accuracy, double forgettingRate,
                           int knownAtBaseline, int forgotten, Map<Category, Map<Category, Integer>> transitions,
                           Instant lastResultAt, String evaluationId, ModelDecision decision, RoundSummary round) {

    /** Every probe of the set was answered under this version. */
    public boolean complete() {
        return probesTotal > 0 && probes >= probesTotal;
    }

    /** Promoted at some point or the base: a version that serves or served verdicts. */
    public boolean served() {
        return status == VersionStatus.BASE || status == VersionStatus.PROMOTED;
    }
}
