package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.Category;

import java.time.Instant;
import java.util.Map;

/**
 * A version's rates on the probe set (GET /v1/versions).
 *
 * @param baselineVersion the version it is compared with
 * @param probes          probes with a result under this version
 * @param accuracy        share answered correctly (greedy exact match on the plain question)
 * @param forgettingRate  of the probes Known (HighlyKnown or MaybeKnown) under the baseline, the share
 *                        this version answers wrongly: the hallucination rate on pre-existing knowledge
 * @param knownAtBaseline the denominator of the forgetting rate
 * @param forgotten       its numerator
 * @param transitions     category under the baseline to category under this version, counts
 */
public record VersionRates(String model, long version, String key, long baselineVersion, int probes, double accuracy,
                           double forgettingRate, int knownAtBaseline, int forgotten,
                           Map<Category, Map<Category, Integer>> transitions, Instant lastResultAt) {
}
