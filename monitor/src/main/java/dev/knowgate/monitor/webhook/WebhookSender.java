package dev.knowgate.monitor.webhook;

import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.RetryAfter;
import dev.knowgate.resilience.Sleeper;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * POSTs one body to one webhook, retrying what may pass later: connection errors and timeouts, 5xx,
 * and 429 (after its Retry-After, in seconds or as an HTTP date). Waits grow as initialBackoff x 2^n,
 * capped at maxBackoff (Retry-After too). Any other status is final: 2xx delivered, the rest (4xx, 3xx) refused, since sending
 * the same body again would be refused again.
 */
public final class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    /** Enough of an error response to tell why (Slack: "invalid_blocks"), not a whole HTML page. */
    private static final int MAX_DETAIL = 200;

    private final HttpClient client;
    private final Policy policy;
    private final Sleeper sleeper;
    private final Clock clock;

    /** @param sleeper waits between tries; tests record instead of waiting, the service stops waiting on shutdown */
    public WebhookSender(HttpClient client, Policy policy, Sleeper sleeper) {
        this(client, policy, sleeper, Clock.systemUTC());
    }

    /** @param clock "now" for a Retry-After given as an HTTP date */
    WebhookSender(HttpClient client, Policy policy, Sleeper sleeper, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Delivers {@code body} to {@code endpoint}, retrying as configured.
     *
     * @throws InterruptedException when a wait or a request is cut short (shutting down): neither
     *                              delivered nor given up, so the caller must not count it as done
     */
    public Outcome send(Endpoint endpoint, String body) throws InterruptedException {
        HttpRequest request = request(endpoint, body);
        int status = 0;
        String detail = "";
        for (int attempt = 1; ; attempt++) {
            Optional<Duration> retryAfter = Optional.empty();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                detail = "HTTP " + status + responseText(response.body());
                if (status >= 200 && status < 300) {
                    return new Outcome(Result.DELIVERED, attempt, status, detail);
                }
                if (!retryable(status)) {
                    return new Outcome(Result.REFUSED, attempt, status, detail);
                }
                retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant());
            } catch (IOException e) {
                // Connection refused or reset, timeout, DNS: the endpoint may be back later.
                status = 0;
                detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (attempt >= policy.maxAttempts()) {
                return new Outcome(Result.GAVE_UP, attempt, status, detail);
            }
            Duration wait = policy.backoffs().delay(attempt, retryAfter);
            LOG.debugf("webhook %s: try %d of %d failed (%s); next in %s", endpoint.name(), attempt,
                    policy.maxAttempts(), detail, wait);
            sleeper.sleep(wait);
        }
    }

    private HttpRequest request(Endpoint endpoint, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint.url())
                .timeout(policy.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        endpoint.headers().forEach(builder::setHeader);
        return builder.build();
    }

    private static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }

    private static String responseText(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return ": " + (oneLine.length() <= MAX_DETAIL ? oneLine : oneLine.substring(0, MAX_DETAIL) + "…");
    }

    /**
     * Where to POST.
     *
     * @param name    the target's config name: logs and metrics only (the URL may hold a secret)
     * @param url     http or https
     * @param headers added to every request (Content-Type is set already)
     */
    public record Endpoint(String name, URI url, Map<String, String> headers) {

        public Endpoint {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("webhook " + name + ": url must be http or https");
            }
            headers = Map.copyOf(headers == null ? Map.of() : headers);
        }
    }

    /**
     * Retry settings.
     *
     * @param maxAttempts    tries in all, at least 1
     * @param initialBackoff the wait after the first failure
     * @param maxBackoff     the longest wait, Retry-After included
     * @param timeout        per request
     */
    public record Policy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration timeout) {

        public Policy {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("max-attempts must be at least 1, got " + maxAttempts);
            }
            if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
                throw new IllegalArgumentException("backoffs must not be negative");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
        }

        public static Policy of(WebhooksConfig config) {
            return new Policy(config.maxAttempts(), config.initialBackoff(), config.maxBackoff(), config.timeout());
        }

        /**
         * The waits between tries: doubling from initialBackoff, capped at maxBackoff. No jitter: one monitor
         * retries, not a crowd, and exact waits read better in its log.
         */
        public Backoff backoffs() {
            return new Backoff(initialBackoff.compareTo(maxBackoff) > 0 ? maxBackoff : initialBackoff, maxBackoff,
                    Backoff.Jitter.NONE);
        }

        /** The wait after failed try {@code attempt} (1-based): initialBackoff x 2^(attempt-1), capped. */
        public Duration backoff(int attempt) {
            return backoffs().delay(attempt);
        }

        /** The longest one delivery can take: every try timing out and every wait at the cap. */
        public Duration worstCase() {
            return timeout.multipliedBy(maxAttempts).plus(maxBackoff.multipliedBy(maxAttempts - 1L));
        }
    }

    public enum Result {
        DELIVERED,
        /** A final answer other than 2xx (4xx but 429, 3xx): not retried. */
        REFUSED,
        /** Still failing after maxAttempts tries. */
        GAVE_UP
    }

    /**
     * How a delivery ended.
     *
     * @param attempts tries made
     * @param status   the last HTTP status, 0 when the last try got no response
     * @param detail   the last status with the start of its body, or the connection error
     */
    public record Outcome(Result result, int attempts, int status, String detail) {

        public boolean delivered() {
            return result == Result.DELIVERED;
        }
    }
}
