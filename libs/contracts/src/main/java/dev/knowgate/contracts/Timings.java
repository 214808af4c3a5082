package dev.knowgate.contracts;

/**
 * Where a verdict's latency went, for the categorizer's dashboards and capacity planning.
 *
 * @param queuedMs    from the record's broker timestamp to the start of its micro-batch
 * @param inferenceMs model time spent on this example (its share of the batch)
 * @param totalMs     from the broker timestamp to the verdict
 */
public record Timings(long queuedMs, long inferenceMs, long totalMs) {

    public Timings {
        Require.atLeast("queuedMs", queuedMs, 0L);
        Require.atLeast("inferenceMs", inferenceMs, 0L);
        Require.atLeast("totalMs", totalMs, 0L);
    }
}
