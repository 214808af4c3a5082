package dev.knowgate.monitor;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver standing in for Alertmanager: it answers the first request with 503 and
 * the later ones with 200, and keeps the bodies it accepted. The monitor is configured to send
 * its alerts to it in Alertmanager's format.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    public static final List<String> ACCEPTED = new CopyOnWriteArrayList<>();
    public static final AtomicInteger REQUESTS = new AtomicInteger();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/api/v2/alerts", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = REQUESTS.incrementAndGet() == 1 ? 503 : 200;
            if (status == 200) {
                ACCEPTED.add(body);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return Map.of(
                "knowgate.monitor.webhooks.targets.alertmanager.url",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/alerts",
                "knowgate.monitor.webhooks.targets.alertmanager.format", "alertmanager",
                "knowgate.monitor.webhooks.initial-backoff", "200ms",
                "knowgate.monitor.webhooks.alertmanager-resend-interval", "2s");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
