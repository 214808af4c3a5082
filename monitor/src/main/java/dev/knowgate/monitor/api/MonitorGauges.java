package dev.knowgate.monitor.api;

import dev.knowgate.contracts.Alert;
import dev.knowgate.monitor.stream.MonitorQueries;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.monitor.rates.VersionRates;
import dev.knowgate.monitor.stream.MixWindow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus gauges refreshed from the state stores every 5 s:
 * knowgate_monitor_forgetting_rate{model,version},
 * knowgate_monitor_probe_accuracy{model,version} (versions with answered probes),
 * knowgate_monitor_live_version{model}, knowgate_monitor_unknown_share{model} (the last window with
 * at least unknown-share.min-examples examples: a window of two is not a share),
 * knowgate_monitor_alerts_active{kind}. Names are Micrometer's (dotted), rendered by the Prometheus
 * registry as above; model versions are labelled {@code model} and {@code version} in every service,
 * so these join categorize-stream's verdict counts on (model, version).
 */
@ApplicationScoped
public class MonitorGauges {

    private static final Logger LOG = Logger.getLogger(MonitorGauges.class);

    private final MonitorQueries queries;
    private final MultiGauge forgetting;
    private final MultiGauge accuracy;
    private final MultiGauge unknownShare;
    private final MultiGauge liveVersion;
    private final int minExamples;
    private final int gaugeVersions;
    private final MultiGauge activeAlerts;
    private ScheduledExecutorService timer;

    @Inject
    public MonitorGauges(MonitorQueries queries, MeterRegistry registry, dev.knowgate.monitor.MonitorConfig config) {
        this.queries = queries;
        this.minExamples = config.unknownShare().minExamples();
        this.gaugeVersions = config.gaugeVersions();
        this.forgetting = MultiGauge.builder("knowgate.monitor.forgetting.rate")
                .description("forgetting rate: of the probes the lineage's base answers correctly, the share this version "
                        + "answers wrongly").register(registry);
        this.liveVersion = MultiGauge.builder("knowgate.monitor.live.version")
                .description("the version promoted last: the one serving verdicts").register(registry);
        this.accuracy = MultiGauge.builder("knowgate.monitor.probe.accuracy")
                .description("share of probes answered correctly (greedy exact match, plain question)").register(registry);
        this.unknownShare = MultiGauge.builder("knowgate.monitor.unknown.share")
                .description("share of Unknown verdicts among incoming training examples, latest window with enough examples")
                .register(registry);
        this.activeAlerts = MultiGauge.builder("knowgate.monitor.alerts.active").description("alerts firing now")
                .register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "monitor-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 5, 5, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /**
     * The versions whose per-version gauges are exported: per model the newest {@code keep}, plus the
     * live one; without a bound every version ever evaluated would stay a series for ever.
     */
    static java.util.Set<String> exported(List<VersionRates> versions, int keep) {
        java.util.Set<String> out = new java.util.HashSet<>();
        Map<String, List<VersionRates>> byModel = new HashMap<>();
        for (VersionRates r : versions) {
            byModel.computeIfAbsent(r.model(), m -> new ArrayList<>()).add(r);
            if (r.live()) {
                out.add(r.key());
            }
        }
        for (List<VersionRates> rates : byModel.values()) {
            rates.sort(java.util.Comparator.comparingLong(VersionRates::version).reversed());
            rates.subList(0, Math.min(keep, rates.size())).forEach(r -> out.add(r.key()));
        }
        return out;
    }

    void refresh() {
        try {
            List<MultiGauge.Row<?>> h = new ArrayList<>();
            List<MultiGauge.Row<?>> a = new ArrayList<>();
            List<MultiGauge.Row<?>> l = new ArrayList<>();
            List<VersionRates> versions = queries.versions();
            java.util.Set<String> exported = exported(versions, gaugeVersions);
            for (VersionRates r : versions) {
                Tags tags = Tags.of("model", r.model(), "version", Long.toString(r.version()));
                if (r.probes() > 0 && exported.contains(r.key())) {
                    h.add(MultiGauge.Row.of(tags, r.forgettingRate()));
                    a.add(MultiGauge.Row.of(tags, r.accuracy()));
                }
                if (r.live()) {
                    l.add(MultiGauge.Row.of(Tags.of("model", r.model()), r.version()));
                }
            }
            forgetting.register(h, true);
            accuracy.register(a, true);
            liveVersion.register(l, true);
            Map<String, Double> latest = new HashMap<>();
            for (MixWindow w : queries.mix()) {
                if (w.total() >= minExamples) {
                    latest.put(w.model(), w.unknownShare()); // windows come in order: the last one stays
                }
            }
            List<MultiGauge.Row<?>> u = new ArrayList<>();
            latest.forEach((model, share) -> u.add(MultiGauge.Row.of(Tags.of("model", model), share)));
            unknownShare.register(u, true);
            Map<AlertKind, Integer> byKind = new HashMap<>();
            for (AlertKind k : AlertKind.values()) {
                byKind.put(k, 0);
            }
            for (Alert alert : queries.alerts().active()) {
                byKind.merge(alert.kind(), 1, Integer::sum);
            }
            List<MultiGauge.Row<?>> k = new ArrayList<>();
            byKind.forEach((kind, n) -> k.add(MultiGauge.Row.of(Tags.of("kind", kind.wireName()), n)));
            activeAlerts.register(k, true);
        } catch (MonitorQueries.NotReady e) {
            LOG.debugf("gauges not refreshed: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "gauges not refreshed: %s", e.getMessage());
        }
    }
}
