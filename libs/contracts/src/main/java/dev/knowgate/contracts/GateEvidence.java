package dev.knowgate.contracts;

/**
 * What a promotion decision was based on: a candidate's whole probe evaluation against the
 * lineage's base, and the gate's limits. Forgetting rate: of the probes the base answers correctly
 * (greedy, plain question), the share this version answers wrongly; the base's own is 0.
 *
 * @param evaluationId       the probe evaluation the numbers come from
 * @param baselineVersion    the version compared with (the lineage's base)
 * @param probesTotal        probes in the probe set
 * @param probesAnswered     probes answered under this very version
 * @param knownAtBaseline    probes the base answers correctly: the forgetting rate's denominator
 * @param forgotten          of those, answered wrongly by this version: its numerator
 * @param forgettingRate     forgotten / knownAtBaseline
 * @param maxForgettingRate  the gate: the most a promoted version may forget
 * @param accuracy           share of the answered probes this version answers correctly
 * @param baselineAccuracy   the same for the base
 * @param minAccuracy        the gate's floor: a version answering fewer is rejected
 */
public record GateEvidence(
        String evaluationId,
        long baselineVersion,
        int probesTotal,
        int probesAnswered,
        int knownAtBaseline,
        int forgotten,
        double forgettingRate,
        double maxForgettingRate,
        double accuracy,
        double baselineAccuracy,
        double minAccuracy) {

    public GateEvidence {
        Require.token("evaluationId", evaluationId, ProbeResult.MAX_EVALUATION_ID_LENGTH);
        Require.atLeast("baselineVersion", baselineVersion, 1L);
        Require.atLeast("probesTotal", probesTotal, 0);
        Require.atLeast("probesAnswered", probesAnswered, 0);
        Require.atLeast("knownAtBaseline", knownAtBaseline, 0);
        Require.atLeast("forgotten", forgotten, 0);
        if (forgotten > knownAtBaseline) {
            throw ContractViolation.invalid("forgotten", "is more than knownAtBaseline (" + knownAtBaseline + ")");
        }
        Require.probability("forgettingRate", forgettingRate);
        Require.probability("maxForgettingRate", maxForgettingRate);
        Require.probability("accuracy", accuracy);
        Require.probability("baselineAccuracy", baselineAccuracy);
        Require.probability("minAccuracy", minAccuracy);
    }

    /** Every probe of the set was answered under the version decided on. */
    public boolean complete() {
        return probesAnswered >= probesTotal;
    }
}
