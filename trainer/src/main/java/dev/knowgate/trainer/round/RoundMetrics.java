package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's Prometheus metrics: rounds by outcome and their duration, the last round's tokens/s,
 * loss and dev accuracy, examples trained on by category, skipped examples by reason, pending
 * examples, whether consumption is paused, and the live version. Names are Micrometer's (dotted),
 * rendered by the Prometheus registry as {@code knowgate_trainer_...}.
 */
public final class RoundMetrics {

    private final MeterRegistry registry;
    private boolean liveRegistered;
    private final Timer duration;
    private final AtomicReference<Double> tokensPerSecond = new AtomicReference<>(0.0);
    private final AtomicReference<Double> trainLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> devAccuracy = new AtomicReference<>(Double.NaN);
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong paused = new AtomicLong();
    private final AtomicLong liveVersion = new AtomicLong();

    public RoundMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("knowgate.trainer.round.duration").description("wall time of a training round")
                .register(registry);
        Gauge.builder("knowgate.trainer.tokens.per.second", tokensPerSecond, AtomicReference::get)
                .description("fine-tuning throughput of the last round").register(registry);
        Gauge.builder("knowgate.trainer.train.loss", trainLoss, AtomicReference::get)
                .description("training loss (cross-entropy per answer token) of the last round's kept epoch").register(registry);
        Gauge.builder("knowgate.trainer.dev.accuracy", devAccuracy, AtomicReference::get)
                .description("dev-split greedy exact-match accuracy of the last promoted version").register(registry);
        Gauge.builder("knowgate.trainer.pending.examples", pending, AtomicLong::get)
                .description("examples consumed and waiting for a round").register(registry);
        Gauge.builder("knowgate.trainer.consumption.paused", paused, AtomicLong::get)
                .description("1 while consumption is paused").register(registry);
    }

    void round(RoundRecord r) {
        Counter.builder("knowgate.trainer.rounds").description("training rounds finished, by outcome")
                .tag("outcome", r.status().name().toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
        if (r.startedAt() != null && r.finishedAt() != null) {
            duration.record(Duration.between(r.startedAt(), r.finishedAt()));
        }
        if (r.status() != RoundStatus.PROMOTED) {
            return;
        }
        RoundRecord.Training t = r.training();
        if (t != null) {
            tokensPerSecond.set(t.tokensPerSecond());
        }
        trainLoss.set(t == null || t.trainLoss() == null ? Double.NaN : t.trainLoss());
        devAccuracy.set(t == null || t.devAccuracy() == null ? Double.NaN : t.devAccuracy());
        RoundRecord.Plan plan = r.plan();
        if (plan != null && plan.examplesByCategory() != null) {
            for (Category c : Category.values()) {
                int n = plan.examplesByCategory().getOrDefault(c, 0);
                Counter.builder("knowgate.trainer.examples")
                        .description("examples trained on in promoted rounds, by SliCK category")
                        .tag("category", c.wireName()).register(registry).increment(n);
            }
        }
        if (plan != null && plan.skipped() != null) {
            plan.skipped().forEach(this::skipped);
        }
    }

    void skipped(String reason, int n) {
        Counter.builder("knowgate.trainer.skipped").description("consumed examples left out of training, by reason")
                .tag("reason", reason).register(registry).increment(n);
    }

    void pending(int n, boolean isPaused) {
        pending.set(n);
        paused.set(isPaused ? 1 : 0);
    }

    /** knowgate_trainer_live_version{model}, labelled as the monitor's live version is (one trainer per lineage). */
    synchronized void live(ModelVersion version) {
        liveVersion.set(version.version());
        if (liveRegistered) {
            return; // one lineage per trainer; Micrometer warns on a second registration
        }
        liveRegistered = true;
        Gauge.builder("knowgate.trainer.live.version", liveVersion, AtomicLong::get)
                .description("version number the next round trains from (the last promoted), by model name")
                .tag("model", version.name()).register(registry);
    }
}
