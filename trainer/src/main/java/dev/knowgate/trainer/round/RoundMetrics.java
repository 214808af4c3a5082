package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's Prometheus metrics: rounds by outcome and their duration, the last round's tokens/s,
 * loss and dev accuracy, examples trained on by category, skipped examples by reason, pending
 * examples, whether consumption is paused, and the live version.
 */
public final class RoundMetrics {

    private final MeterRegistry registry;
    private final Timer duration;
    private final AtomicReference<Double> tokensPerSecond = new AtomicReference<>(0.0);
    private final AtomicReference<Double> trainLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> devAccuracy = new AtomicReference<>(Double.NaN);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong paused = new AtomicLong();
    private final AtomicLong liveVersion = new AtomicLong();

    public RoundMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("knowgate_trainer_round_duration").description("wall time of a training round")
                .register(registry);
        Gauge.builder("knowgate_trainer_tokens_per_second", tokensPerSecond, AtomicReference::get)
                .description("fine-tuning throughput of the last round").register(registry);
        Gauge.builder("knowgate_trainer_train_loss", trainLoss, AtomicReference::get)
                .description("training loss (cross-entropy per answer token) of the last round's kept epoch").register(registry);
        Gauge.builder("knowgate_trainer_dev_accuracy", devAccuracy, AtomicReference::get)
                .description("dev-split greedy exact-match accuracy of the last promoted version").register(registry);
        Gauge.builder("knowgate_trainer_pending_examples", pending, AtomicLong::get)
                .description("examples consumed and waiting for a round").register(registry);
        Gauge.builder("knowgate_trainer_consumption_paused", paused, AtomicLong::get)
                .description("1 while consumption is paused").register(registry);
        Gauge.builder("knowgate_trainer_live_version", liveVersion, AtomicLong::get)
                .description("version number the next round trains from (the last promoted)").register(registry);
    }

    void round(RoundRecord r) {
        registry.counter("knowgate_trainer_rounds_total", "outcome", r.status().name().toLowerCase(java.util.Locale.ROOT))
                .increment();
        if (r.startedAt() != null && r.finishedAt() != null) {
            duration.record(Duration.between(r.startedAt(), r.finishedAt()));
        }
        if (r.status() != RoundStatus.PROMOTED) {
            return;
        }
        if (r.tokensPerSecond() != null) {
            tokensPerSecond.set(r.tokensPerSecond());
        }
        trainLoss.set(r.trainLoss() == null ? Double.NaN : r.trainLoss());
        devAccuracy.set(r.devAccuracy() == null ? Double.NaN : r.devAccuracy());
        if (r.examplesByCategory() != null) {
            for (Category c : Category.values()) {
                int n = r.examplesByCategory().getOrDefault(c, 0);
                registry.counter("knowgate_trainer_examples_total", "category", c.wireName()).increment(n);
            }
        }
        if (r.skipped() != null) {
            r.skipped().forEach(this::skipped);
        }
    }

    void skipped(String reason, int n) {
        registry.counter("knowgate_trainer_skipped_total", "reason", reason).increment(n);
    }

    void pending(int n, boolean isPaused) {
        pending.set(n);
        paused.set(isPaused ? 1 : 0);
    }

    void live(ModelVersion version) {
        liveVersion.set(version.version());
    }
}
