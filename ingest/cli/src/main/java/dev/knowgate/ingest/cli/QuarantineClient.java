package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.QuarantinePage;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.RetryAfter;
import dev.knowgate.resilience.Sleeper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * knowgate-quarantine's calls to categorize-stream's quarantine API. A decision is sent with an id
 * made up once, and sent again with the same id while the service is unreachable or answers 503:
 * the stream applies an id once, so a decision whose answer was lost is not taken twice.
 */
final class QuarantineClient {

    /** What a call came to. */
    sealed interface Result<T> permits Ok, Refused, Failed {
    }

    record Ok<T>(T value, int status) implements Result<T> {
    }

    /** The service answered with a problem that another try would not change (400, 401, 403, 404, 409). */
    record Refused<T>(int status, String why) implements Result<T> {
    }

    /** Unreachable, or failing through every retry. */
    record Failed<T>(String why) implements Result<T> {
    }

    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;
    private final int maxRetries;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final java.util.random.RandomGenerator random = new java.util.SplittableRandom();

    QuarantineClient(URI base, String apiKey, Duration timeout, int maxRetries, Backoff backoff, Sleeper sleeper) {
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.sleeper = sleeper;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** GET /v1/quarantine with the filter given (null values left out). */
    Result<QuarantinePage> list(Map<String, String> filter) throws InterruptedException {
        StringJoiner query = new StringJoiner("&");
        filter.forEach((k, v) -> {
            if (v != null) {
                query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        URI uri = IngestClient.resolve(base, "v1/quarantine" + (query.length() == 0 ? "" : "?" + query));
        return call(HttpRequest.newBuilder(uri).GET(), body -> ContractJson.read(body, QuarantinePage.class));
    }

    Result<QuarantineEntry> show(String exampleId) throws InterruptedException {
        return call(HttpRequest.newBuilder(entryUri(exampleId, "")).GET(), body -> ContractJson.read(body, QuarantineEntry.class));
    }

    /** POST a decision; {@code decisionId} names it, so every try is the same decision. */
    Result<QuarantineDecision> decide(String exampleId, String action, String reason, String answer, List<String> aliases,
                                      String decisionId) throws InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("reason", reason);
        if (answer != null) {
            body.put("answer", answer);
        }
        if (aliases != null && !aliases.isEmpty()) {
            body.put("aliases", aliases);
        }
        body.put("decisionId", decisionId);
        String json;
        try {
            json = ContractJson.mapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return call(HttpRequest.newBuilder(entryUri(exampleId, "/decisions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)),
                b -> ContractJson.read(b, QuarantineDecision.class));
    }

    private URI entryUri(String exampleId, String tail) {
        return IngestClient.resolve(base, "v1/quarantine/" + URLEncoder.encode(exampleId, StandardCharsets.UTF_8)
                .replace("+", "%20") + tail);
    }

    @FunctionalInterface
    private interface Parse<T> {
        T apply(String body);
    }

    private <T> Result<T> call(HttpRequest.Builder request, Parse<T> parse) throws InterruptedException {
        request.timeout(timeout).header("Accept", "application/json, application/problem+json")
                .header("User-Agent", "knowgate-quarantine/" + Version.get());
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest built = request.build();
        String why = null;
        for (int attempt = 0; ; attempt++) {
            java.util.Optional<Duration> retryAfter = java.util.Optional.empty();
            try {
                HttpResponse<String> r = http.send(built, HttpResponse.BodyHandlers.ofString());
                int s = r.statusCode();
                if (s >= 200 && s < 300) {
                    try {
                        return new Ok<>(parse.apply(r.body()), s);
                    } catch (ContractViolation v) {
                        return new Failed<>("categorize-stream answered something unexpected: " + v.getMessage());
                    }
                }
                why = "HTTP " + s + ": " + IngestClient.problemText(r.body());
                if (s != 503 && s != 502 && s != 504 && s != 429) {
                    return new Refused<>(s, why);
                }
                retryAfter = r.headers().firstValue("Retry-After").flatMap(v -> RetryAfter.parse(v, Instant.now()));
            } catch (IOException e) {
                why = IngestClient.unreachable("categorize-stream", base, e, timeout);
            }
            if (attempt >= maxRetries) {
                return new Failed<>(why + (maxRetries > 0 ? " (after " + (maxRetries + 1) + " tries)" : ""));
            }
            sleeper.sleep(backoff.delay(attempt, retryAfter, random));
        }
    }
}
