package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.ProbeResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Probe results of every version of one model lineage (registry name), versions ascending: the
 * monitor's state per lineage, from which all rates are computed.
 */
public record LineageProbes(String model, List<VersionProbes> versions) {

    /** Versions kept per lineage; the oldest beyond it are dropped (the baseline always stays). */
    public static final int MAX_VERSIONS = 200;

    public LineageProbes {
        versions = List.copyOf(versions);
    }

    public static LineageProbes empty(String model) {
        return new LineageProbes(model, List.of());
    }

    public Optional<VersionProbes> version(long version) {
        return versions.stream().filter(v -> v.version() == version).findFirst();
    }

    public LineageProbes with(ProbeResult r, long baselineVersion) {
        List<VersionProbes> next = new ArrayList<>(versions);
        int i = 0;
        while (i < next.size() && next.get(i).version() != r.modelVersion()) {
            i++;
        }
        if (i == next.size()) {
            next.add(VersionProbes.empty(r.modelVersion()).with(r));
            next.sort(Comparator.comparingLong(VersionProbes::version));
        } else {
            next.set(i, next.get(i).with(r));
        }
        while (next.size() > MAX_VERSIONS) {
            next.remove(next.get(0).version() == baselineVersion ? 1 : 0);
        }
        return new LineageProbes(model, next);
    }
}
