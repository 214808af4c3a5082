package dev.knowgate.categorize.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What became of an example: its verdicts, one per model version it was categorized under, oldest
 * first; the value of the verdicts store behind GET /v1/verdicts/{exampleId}.
 */
public record VerdictHistory(String exampleId, List<RoutedVerdict> verdicts) {

    /** Versions kept per example; the oldest are dropped first. */
    public static final int MAX_VERSIONS = 100;

    public VerdictHistory {
        verdicts = List.copyOf(verdicts);
    }

    public Optional<RoutedVerdict> under(String modelKey) {
        return verdicts.stream().filter(v -> v.verdict().modelKey().equals(modelKey)).findFirst();
    }

    public VerdictHistory with(RoutedVerdict verdict) {
        List<RoutedVerdict> next = new ArrayList<>(verdicts);
        next.add(verdict);
        while (next.size() > MAX_VERSIONS) {
            next.remove(0);
        }
        return new VerdictHistory(exampleId, next);
    }
}
