package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rates of every version of a lineage against its baseline. "Answered wrongly" is fixed across
 * versions: greedy decoding on the plain question does not give the gold answer (or an alias),
 * the way Gekhman et al. measure test accuracy after fine-tuning; categorize-stream computes it
 * by teacher forcing for every probe result.
 */
public final class RateCalculator {

    private RateCalculator() {
    }

    /** The configured baseline when it has results, else the lineage's first version with results. */
    public static Optional<VersionProbes> baseline(LineageProbes lineage, long baselineVersion) {
        return lineage.version(baselineVersion).or(() -> lineage.versions().stream().findFirst());
    }

    public static List<VersionRates> rates(LineageProbes lineage, long baselineVersion) {
        Optional<VersionProbes> base = baseline(lineage, baselineVersion);
        if (base.isEmpty()) {
            return List.of();
        }
        List<VersionRates> out = new ArrayList<>();
        for (VersionProbes v : lineage.versions()) {
            out.add(rates(lineage.model(), base.get(), v));
        }
        return out;
    }

    static VersionRates rates(String model, VersionProbes base, VersionProbes v) {
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
            if (then.category() == Category.HIGHLY_KNOWN || then.category() == Category.MAYBE_KNOWN) {
                known++;
                forgotten += now.correct() ? 0 : 1;
            }
        }
        int n = v.probes().size();
        return new VersionRates(model, v.version(), ModelVersion.keyOf(model, v.version()), base.version(), n,
                n == 0 ? 0 : (double) correct / n, known == 0 ? 0 : (double) forgotten / known, known, forgotten,
                transitions, v.lastResultAt());
    }
}
