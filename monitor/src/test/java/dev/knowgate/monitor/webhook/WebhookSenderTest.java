package dev.knowgate.monitor.webhook;

import com.sun.net.httpserver.HttpServer;
import dev.knowgate.monitor.webhook.WebhookSender.Endpoint;
import dev.knowgate.monitor.webhook.WebhookSender.Outcome;
import dev.knowgate.monitor.webhook.WebhookSender.Policy;
import dev.knowgate.monitor.webhook.WebhookSender.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real HTTP against a local receiver; the sender's waits are recorded, not slept. */
class WebhookSenderTest {

    private static final String BODY = "{\"id\":\"a-1\",\"note\":\"café\"}";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    private Receiver receiver;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void retriesServerErrorsWithDoublingWaitsAndHonoursRetryAfter() throws Exception {
        receiver = new Receiver(Reply.status(503), Reply.status(503), Reply.retryAfter(429, "2"), Reply.status(503),
                Reply.status(200));
        Outcome outcome = sender(policy(8, 1, 60)).send(endpoint(Map.of("Authorization", "Bearer s3cret")), BODY);

        assertThat(outcome.result()).isEqualTo(Result.DELIVERED);
        assertThat(outcome.delivered()).isTrue();
        assertThat(outcome.attempts()).isEqualTo(5);
        assertThat(outcome.status()).isEqualTo(200);
        // 1s, 2s, then Retry-After's 2s instead of 4s, then the backoff goes on at 8s.
        assertThat(waits).containsExactly(seconds(1), seconds(2), seconds(2), seconds(8));
        assertThat(receiver.received).hasSize(5).allSatisfy(r -> {
            assertThat(r.body()).isEqualTo(BODY);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(r.authorization()).isEqualTo("Bearer s3cret");
        });
    }

    @Test
    void backoffIsCappedAtMaxBackoffAndGivesUpAfterMaxAttempts() throws Exception {
        receiver = new Receiver(Reply.status(503));
        Outcome outcome = sender(policy(6, 1, 5)).send(endpoint(Map.of()), BODY);

        assertThat(outcome.result()).isEqualTo(Result.GAVE_UP);
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(6);
        assertThat(outcome.status()).isEqualTo(503);
        assertThat(outcome.detail()).startsWith("HTTP 503");
        assertThat(waits).containsExactly(seconds(1), seconds(2), seconds(4), seconds(5), seconds(5));
        assertThat(receiver.received).hasSize(6);
    }

    @Test
    void retryAfterIsCappedAtMaxBackoff() throws Exception {
        receiver = new Receiver(Reply.retryAfter(429, "120"), Reply.retryAfter(503, "not-a-number"), Reply.status(204));
        Outcome outcome = sender(policy(8, 1, 60)).send(endpoint(Map.of()), BODY);

        assertThat(outcome.result()).isEqualTo(Result.DELIVERED);
        assertThat(outcome.attempts()).isEqualTo(3);
        // 120s capped to 60s; an unreadable Retry-After falls back to the backoff (2s after try 2).
        assertThat(waits).containsExactly(seconds(60), seconds(2));
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() throws Exception {
        Instant now = Instant.parse("2026-12-05T17:00:00Z");
        String inSeven = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atZone(ZoneOffset.UTC));
        receiver = new Receiver(Reply.retryAfter(503, inSeven), Reply.status(204));
        WebhookSender sender = new WebhookSender(client, policy(8, 1, 60), waits::add, Clock.fixed(now, ZoneOffset.UTC));

        assertThat(sender.send(endpoint(Map.of()), BODY).result()).isEqualTo(Result.DELIVERED);
        assertThat(waits).containsExactly(seconds(7));
    }

    @Test
    void aClientErrorIsNotRetried() throws Exception {
        receiver = new Receiver(Reply.status(400, "invalid_payload"));
        Outcome outcome = sender(policy(8, 1, 60)).send(endpoint(Map.of()), BODY);

        assertThat(outcome.result()).isEqualTo(Result.REFUSED);
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(outcome.status()).isEqualTo(400);
        assertThat(outcome.detail()).isEqualTo("HTTP 400: invalid_payload");
        assertThat(waits).isEmpty();
        assertThat(receiver.received).hasSize(1);
    }

    @Test
    void aRefusedConnectionIsRetriedThenGivenUp() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Endpoint nobody = new Endpoint("nobody", URI.create("http://127.0.0.1:" + closedPort + "/hook"), Map.of());
        Outcome outcome = sender(policy(4, 1, 60)).send(nobody, BODY);

        assertThat(outcome.result()).isEqualTo(Result.GAVE_UP);
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.status()).isZero();
        assertThat(outcome.detail()).contains("ConnectException");
        assertThat(waits).containsExactly(seconds(1), seconds(2), seconds(4));
    }

    @Test
    void aTimedOutRequestIsRetried() throws Exception {
        receiver = new Receiver(Reply.slow(2_000), Reply.status(200));
        Policy policy = new Policy(3, seconds(1), seconds(60), Duration.ofMillis(300));
        Outcome outcome = sender(policy).send(endpoint(Map.of()), BODY);

        assertThat(outcome.result()).isEqualTo(Result.DELIVERED);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(waits).containsExactly(seconds(1));
    }

    @Test
    void aWaitCutShortEndsTheDeliveryUnfinished() {
        receiver = new Receiver(Reply.status(503));
        WebhookSender stopping = new WebhookSender(client, policy(8, 1, 60), wait -> {
            throw new InterruptedException("shutting down");
        });

        assertThatThrownBy(() -> stopping.send(endpoint(Map.of()), BODY)).isInstanceOf(InterruptedException.class);
        assertThat(receiver.received).hasSize(1);
    }

    @Test
    void policyBackoffDoublesFromInitialAndStopsAtTheCap() {
        Policy policy = policy(8, 1, 60);
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 50, 1_000).stream().map(policy::backoff))
                .containsExactly(seconds(1), seconds(2), seconds(4), seconds(8), seconds(16), seconds(32),
                        seconds(60), seconds(60), seconds(60));
        // 8 tries of 10s and 7 waits of 60s at most.
        assertThat(new Policy(8, seconds(1), seconds(60), seconds(10)).worstCase()).isEqualTo(seconds(500));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> policy(0, 1, 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Policy(3, seconds(1), seconds(60), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Endpoint("x", URI.create("ftp://host/x"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http or https");
    }

    private WebhookSender sender(Policy policy) {
        return new WebhookSender(client, policy, waits::add);
    }

    private Endpoint endpoint(Map<String, String> headers) {
        return new Endpoint("test", receiver.url(), headers);
    }

    private static Policy policy(int maxAttempts, long initialSeconds, long maxSeconds) {
        return new Policy(maxAttempts, seconds(initialSeconds), seconds(maxSeconds), seconds(5));
    }

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    /** What the receiver answers to one request; the last reply repeats. */
    private record Reply(int status, String retryAfter, String body, long delayMillis) {

        static Reply status(int status) {
            return new Reply(status, null, "", 0);
        }

        static Reply status(int status, String body) {
            return new Reply(status, null, body, 0);
        }

        static Reply retryAfter(int status, String retryAfter) {
            return new Reply(status, retryAfter, "", 0);
        }

        static Reply slow(long delayMillis) {
            return new Reply(200, null, "", delayMillis);
        }
    }

    private record Received(String method, String contentType, String authorization, String body) {
    }

    /** A local HTTP server that answers from a script and keeps what it received. */
    private static final class Receiver implements AutoCloseable {

        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        private final ConcurrentLinkedQueue<Reply> script;
        private final Reply last;
        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool();

        Receiver(Reply... replies) {
            this.script = new ConcurrentLinkedQueue<>(List.of(replies));
            this.last = replies[replies.length - 1];
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.setExecutor(executor); // a slow reply must not hold up the next request
            server.createContext("/hook", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(exchange.getRequestMethod(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Authorization"), body));
                Reply polled = script.poll();
                Reply reply = polled == null ? last : polled;
                try {
                    if (reply.delayMillis() > 0) {
                        Thread.sleep(reply.delayMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (reply.retryAfter() != null) {
                    exchange.getResponseHeaders().set("Retry-After", reply.retryAfter());
                }
                byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            });
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
