package dev.knowgate.monitor.flagging;

import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.EvidencePoint;
import dev.knowgate.monitor.rates.VersionRates;
import dev.knowgate.monitor.rates.VersionStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The detectors on a lineage's forgetting rate. The two on served versions (the base and the
 * promoted ones, those with enough probe results), which watch what is or was live:
 * <ul>
 *   <li>baseline exceeded: the newest served version's rate is above the baseline's by more than the margin;</li>
 *   <li>rising trend: over the last k served versions (at least the minimum number of points), the
 *       Theil-Sen slope per version is above the threshold.</li>
 * </ul>
 * And one on the gate: candidate rejected, while the newest decided candidate of the lineage is a
 * rejected one (resolved by the next promotion).
 */
public final class ProbeFlagger {

    public static final String METRIC = "forgetting_rate";

    private final FlagSettings settings;

    public ProbeFlagger(FlagSettings settings) {
        this.settings = settings;
    }

    public List<Condition> check(String model, List<VersionRates> all) {
        List<Condition> out = new ArrayList<>();
        rejected(model, all).ifPresent(out::add);
        List<VersionRates> judged = all.stream().filter(r -> r.served() && r.probes() >= settings.minProbes()).toList();
        if (judged.isEmpty()) {
            return out;
        }
        VersionRates base = judged.stream().filter(r -> r.version() == r.baselineVersion()).findFirst().orElse(null);
        VersionRates newest = judged.get(judged.size() - 1);
        if (base != null && newest != base) {
            double limit = base.forgettingRate() + settings.forgettingMargin();
            boolean holds = newest.forgettingRate() > limit;
            out.add(new Condition("baseline_exceeded-" + METRIC + "-" + model, AlertKind.BASELINE_EXCEEDED, METRIC, model,
                    newest.version(), holds, newest.forgettingRate(), null, base.forgettingRate(), limit,
                    List.of(new EvidencePoint(base.key(), base.forgettingRate()),
                            new EvidencePoint(newest.key(), newest.forgettingRate())),
                    String.format(Locale.ROOT, "%s forgets %.1f%% of the probes %s answers (%d of %d), %s %.1f%%: "
                                    + "above the baseline by more than %.1f points", newest.key(),
                            100 * newest.forgettingRate(), base.key(), newest.forgotten(), newest.knownAtBaseline(),
                            holds ? "baseline" : "back under the limit of", 100 * base.forgettingRate(),
                            100 * settings.forgettingMargin())));
        }
        List<VersionRates> window = judged.subList(Math.max(0, judged.size() - settings.trendVersions()), judged.size());
        if (window.size() >= settings.trendMinPoints()) {
            double[] x = new double[window.size()];
            double[] y = new double[window.size()];
            List<EvidencePoint> evidence = new ArrayList<>();
            for (int i = 0; i < window.size(); i++) {
                x[i] = window.get(i).version();
                y[i] = window.get(i).forgettingRate();
                evidence.add(new EvidencePoint(window.get(i).key(), y[i]));
            }
            double slope = TheilSen.slope(x, y);
            boolean holds = slope > settings.trendSlope();
            out.add(new Condition("rising_trend-" + METRIC + "-" + model, AlertKind.RISING_TREND, METRIC, model,
                    newest.version(), holds, newest.forgettingRate(), slope, base == null ? 0 : base.forgettingRate(),
                    settings.trendSlope(), evidence,
                    String.format(Locale.ROOT, "forgetting rate of %s %s by %.2f points per version over its last %d "
                                    + "served versions (Theil-Sen; limit %.2f); %s forgets %.1f%%", model,
                            slope > 0 ? "rises" : "changes", 100 * slope, window.size(), 100 * settings.trendSlope(),
                            newest.key(), 100 * newest.forgettingRate())));
        }
        return out;
    }

    /** Holds while the newest decided candidate (by version) was rejected; absent before any candidate is decided. */
    private static Optional<Condition> rejected(String model, List<VersionRates> all) {
        Optional<VersionRates> newest = all.stream()
                .filter(r -> r.status() == VersionStatus.PROMOTED || r.status() == VersionStatus.REJECTED)
                .max(Comparator.comparingLong(VersionRates::version));
        return newest.map(v -> {
            boolean holds = v.status() == VersionStatus.REJECTED;
            double limit = v.decision() != null && v.decision().evidence() != null
                    ? v.decision().evidence().maxForgettingRate() : 0;
            String reason = v.decision() == null ? "" : v.decision().reason();
            return new Condition("candidate_rejected-" + METRIC + "-" + model, AlertKind.CANDIDATE_REJECTED, METRIC,
                    model, v.version(), holds, v.forgettingRate(), null, 0, limit,
                    List.of(new EvidencePoint(v.key(), v.forgettingRate())),
                    holds ? v.key() + " was rejected and never served: " + reason
                            : v.key() + " was promoted: " + reason);
        });
    }
}
