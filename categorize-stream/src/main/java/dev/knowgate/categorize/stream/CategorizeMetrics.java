package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.ModelRef;
import dev.knowgate.contracts.Category;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The stream's meters: examples/s is the rate of {@code knowgate_categorize_verdicts_total}
 * (by category and model version: labels {@code model} and {@code version}, as in every service),
 * plus batch sizes, inference latency, rejections by reason, duplicates skipped, probe results, probe
 * headers ignored on training examples, and flushes cut at their time budget. Names are Micrometer's
 * (dotted); the Prometheus registry renders them as {@code knowgate_categorize_...} with
 * {@code _total} on counters and {@code _seconds} on timers.
 */
public final class CategorizeMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Timer inference;
    private final Counter duplicates;
    private final Counter probes;
    private final Counter probeHeadersIgnored;
    private final Counter flushesCut;
    private final Counter borrowed;
    private final Counter fullBatches;
    private final Counter verdictsExpired;
    private final Counter rechecked;
    private final int metricVersions;
    /** Model versions with verdict counters, in the order they first judged an example. */
    private final java.util.LinkedHashSet<ModelRef> versions = new java.util.LinkedHashSet<>();

    static final String VERDICTS = "knowgate.categorize.verdicts";

    public CategorizeMetrics(MeterRegistry registry) {
        this(registry, 10);
    }

    /** Keeps the verdict counters of the newest {@code metricVersions} model versions only. */
    public CategorizeMetrics(MeterRegistry registry, int metricVersions) {
        if (metricVersions < 1) {
            throw new IllegalArgumentException("verdicts.metric-versions must be >= 1, got " + metricVersions);
        }
        this.registry = registry;
        this.metricVersions = metricVersions;
        this.verdictsExpired = Counter.builder("knowgate.categorize.verdicts.expired")
                .description("verdict histories removed from the verdicts store after verdicts.retention").register(registry);
        this.rechecked = Counter.builder("knowgate.categorize.quarantine.rechecked")
                .description("quarantined examples sent to be judged again by a newly live version").register(registry);
        this.batchSize = DistributionSummary.builder("knowgate.categorize.batch.size")
                .description("examples per model call (a batch holds examples of every stream task on this instance)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.inference = Timer.builder("knowgate.categorize.inference")
                .description("model time per micro-batch").publishPercentiles(0.5, 0.99).register(registry);
        this.duplicates = Counter.builder("knowgate.categorize.duplicates")
                .description("examples already categorized under the live version, not computed again")
                .register(registry);
        this.probes = Counter.builder("knowgate.categorize.probe.results")
                .description("probe results written to probes.results").register(registry);
        this.probeHeadersIgnored = Counter.builder("knowgate.categorize.probe.headers.ignored")
                .description("training examples that carried probe headers, judged by the live version regardless")
                .register(registry);
        this.borrowed = Counter.builder("knowgate.categorize.batch.borrowed")
                .description("examples categorized in a batch another stream task of this instance started (SharedBatches)")
                .register(registry);
        this.fullBatches = Counter.builder("knowgate.categorize.batch.full")
                .description("model calls that held batch.size examples (the others: a batch's max-wait ran out first)")
                .register(registry);
        this.flushesCut = Counter.builder("knowgate.categorize.flushes.cut")
                .description("flushes that stopped at batch.max-flush-time with examples left for the next turn")
                .register(registry);
    }

    void verdict(Category category, ModelRef model) {
        synchronized (versions) { // stream threads share these meters
            if (versions.add(model) && versions.size() > metricVersions) {
                ModelRef oldest = versions.iterator().next();
                versions.remove(oldest);
                // One series per category and version: without a bound they would grow with every version.
                registry.find(VERDICTS).tags("model", oldest.name(), "version", Long.toString(oldest.version()))
                        .meters().forEach(registry::remove);
            }
        }
        Counter.builder("knowgate.categorize.verdicts")
                .description("verdicts written to examples.categorized, by category and by the model version that computed them")
                .tags("category", category.wireName(), "model", model.name(), "version", Long.toString(model.version()))
                .register(registry).increment();
    }

    void rechecked(int n) {
        rechecked.increment(n);
    }

    /** A decision of the quarantine queue: applied, or why it changed nothing. */
    void decision(dev.knowgate.contracts.QuarantineDecision.Action action, String outcome) {
        Counter.builder("knowgate.categorize.quarantine.decisions")
                .description("decisions on quarantine.decisions, by action and outcome (applied, or why ignored)")
                .tags("action", action.wireName(), "outcome", outcome).register(registry).increment();
    }

    void verdictsExpired(int n) {
        verdictsExpired.increment(n);
    }

    void rejected(String reason) {
        Counter.builder("knowgate.categorize.rejected")
                .description("malformed records written to examples.rejected, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    void batch(int size, long inferenceNanos, boolean full) {
        batchSize.record(size);
        if (full) {
            fullBatches.increment();
        }
        inference.record(inferenceNanos, TimeUnit.NANOSECONDS);
    }

    void sharedBatch(int borrowedExamples) {
        borrowed.increment(borrowedExamples);
    }

    void duplicate() {
        duplicates.increment();
    }

    void probe() {
        probes.increment();
    }

    void probeHeaderIgnored() {
        probeHeadersIgnored.increment();
    }

    void flushCut() {
        flushesCut.increment();
    }
}
