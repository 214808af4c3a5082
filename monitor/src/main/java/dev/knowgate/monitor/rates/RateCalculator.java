package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.PromotionLedger;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Rates of every version of a lineage against its baseline, and where each stands. "Answered
 * wrongly" is fixed across versions: greedy decoding on the plain question does not give the gold
 * answer (or an alias), the way Gekhman et al. measure test accuracy after fine-tuning;
 * categorize-stream computes it by teacher forcing for every probe result. The forgetting rate has
 * one definition, used by the gate, the alerts, the API, the gauge and the dashboard: of the probes
 * the baseline answers correctly, the share a version answers wrongly.
 */
public final class RateCalculator {

    private RateCalculator() {
    }

    /** The configured baseline when it has results, else the lineage's first version with results. */
    public static Optional<VersionProbes> baseline(LineageState lineage, long baselineVersion) {
        return lineage.version(baselineVersion).or(() -> lineage.versions().stream().findFirst());
    }

    /** Every version announced or answered, ascending; rates are zero where nothing is answered yet. */
    public static List<VersionRates> rates(LineageState lineage, long baselineVersion, int probesTotal) {
        Optional<VersionProbes> base = baseline(lineage, baselineVersion);
        long baseVersion = base.map(VersionProbes::version).orElse(baselineVersion);
        PromotionLedger ledger = lineage.ledger();
        Optional<Long> live = ledger.live(lineage.model()).map(ModelDecision::modelVersion);
        TreeSet<Long> versions = new TreeSet<>();
        lineage.versions().forEach(v -> versions.add(v.version()));
        lineage.announced().forEach(a -> versions.add(a.version()));
        List<VersionRates> out = new ArrayList<>();
        for (long version : versions) {
            VersionProbes v = lineage.version(version).orElse(VersionProbes.empty(version));
            Optional<Announced> a = lineage.announcement(version);
            Optional<ModelDecision> decision = ledger.decision(lineage.model(), version);
            VersionStatus status = version == baseVersion ? VersionStatus.BASE
                    : decision.map(d -> d.promoted() ? VersionStatus.PROMOTED : VersionStatus.REJECTED)
                    .orElse(VersionStatus.CANDIDATE);
            boolean isLive = live.map(l -> l == version).orElseGet(() -> version == baseVersion);
            out.add(rates(lineage.model(), base.orElse(VersionProbes.empty(baseVersion)), v, probesTotal,
                    a.map(Announced::parent).orElse(null), status, isLive, decision.orElse(null),
                    a.map(Announced::round).orElse(null)));
        }
        return out;
    }

    static VersionRates rates(String model, VersionProbes base, VersionProbes v, int probesTotal, Long parent,
                              VersionStatus status, boolean live, ModelDecision decision,
                              dev.knowgate.contracts.RoundSummary round) {
        int correct = 0;
        int known = 0;
        int forgotten = 0;
        Map<Category, Map<Category, Integer>> transitions = new EnumMap<>(Category.class);
        for (Map.Entry<String, ProbeOutcome> e : v.probes().entrySet()) {
            ProbeOutcome now = e.getValue();
            correct += now.correct() ? 1 : 0;
            ProbeOutcome then = base.probes().get(e.getKey());
            if (then == null) {
                continue; // not evaluated under the baseline: no transition, not in the forgetting rate
            }
            transitions.computeIfAbsent(then.category(), c -> new EnumMap<>(Category.class))
                    .merge(now.category(), 1, Integer::sum);
            if (then.correct()) {
                known++;
                forgotten += now.correct() ? 0 : 1;
            }
        }
        int n = v.probes().size();
        return new VersionRates(model, v.version(), ModelVersion.keyOf(model, v.version()), parent, status, live,
                base.version(), probesTotal, n, n == 0 ? 0 : (double) correct / n, known == 0 ? 0 : (double) forgotten / known,
                known, forgotten, transitions, v.lastResultAt(), v.evaluationId(), decision, round);
    }
}
