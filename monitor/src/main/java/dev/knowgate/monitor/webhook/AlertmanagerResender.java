package dev.knowgate.monitor.webhook;

import dev.knowgate.contracts.Alert;
import dev.knowgate.monitor.stream.MonitorQueries;
import dev.knowgate.monitor.webhook.WebhookSender.Endpoint;
import dev.knowgate.monitor.webhook.WebhookSender.Policy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Posts the alerts that are still firing to every alertmanager target again, on a fixed interval,
 * the way Prometheus does: Alertmanager resolves an alert it has not heard of for its
 * resolve_timeout. The firing alerts come from the monitor's state stores, so a restart resends
 * exactly what is active. One attempt per round: the next round is the retry.
 */
@ApplicationScoped
public class AlertmanagerResender {

    private static final Logger LOG = Logger.getLogger(AlertmanagerResender.class);

    private final WebhooksConfig config;
    private final MonitorQueries queries;
    private final MeterRegistry registry;
    private ScheduledExecutorService timer;

    @Inject
    public AlertmanagerResender(WebhooksConfig config, MonitorQueries queries, MeterRegistry registry) {
        this.config = config;
        this.queries = queries;
        this.registry = registry;
    }

    void onStart(@Observes StartupEvent event) {
        Duration every = config.alertmanagerResendInterval();
        List<Endpoint> targets = config.targets().entrySet().stream()
                .filter(e -> e.getValue().format() == WebhookFormat.ALERTMANAGER)
                .map(e -> new Endpoint(e.getKey(), URI.create(e.getValue().url().trim()), e.getValue().headers()))
                .toList();
        if (targets.isEmpty() || every.isZero() || every.isNegative()) {
            return;
        }
        WebhookSender sender = new WebhookSender(HttpClient.newBuilder().connectTimeout(config.timeout()).build(),
                new Policy(1, config.initialBackoff(), config.maxBackoff(), config.timeout()), wait -> {
                });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alertmanager-resender");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> resend(sender, targets), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void resend(WebhookSender sender, List<Endpoint> targets) {
        List<Alert> firing;
        try {
            firing = queries.alerts().active();
        } catch (MonitorQueries.NotReady e) {
            return;
        }
        for (Alert alert : firing) {
            String body = WebhookFormat.ALERTMANAGER.render(alert, config.dashboardUrl());
            for (Endpoint target : targets) {
                try {
                    boolean ok = sender.send(target, body).delivered();
                    Counter.builder("knowgate.monitor.alertmanager.resends")
                            .description("firing alerts sent again to Alertmanager targets, by target and outcome")
                            .tags("target", target.name(), "outcome", ok ? "delivered" : "failed")
                            .register(registry).increment();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.warnf("resending %s to %s failed: %s", alert.id(), target.name(), e.getMessage());
                }
            }
        }
    }
}
