package dev.knowgate.ingest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.resilience.RetryAfter;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.URI;
import java.nio.channels.UnresolvedAddressException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The ingest service's bulk endpoint, over {@link HttpClient}: one request, one {@link Answer}.
 * A request, once sent, is always waited for (up to the request timeout), even when the waiting
 * thread is interrupted: the batch in flight must finish or fail before a push stops, or a
 * resume could not know whether it was accepted.
 */
final class IngestClient {

    static final String BULK_PATH = "v1/examples/bulk";
    static final String NDJSON = "application/x-ndjson";
    private static final JsonMapper JSON = ContractJson.mapper();

    /** What came back: an HTTP answer, or the I/O failure that stood in its way. */
    record Answer(int status, HttpHeaders headers, String body, IOException failure, boolean interrupted) {

        boolean answered() {
            return failure == null;
        }
    }

    /** One line the service refused in a 422 answer. */
    record LineError(int line, String field, String reason, String message) {
    }

    private final URI bulk;
    private final String apiKey;
    private final Duration requestTimeout;
    private final HttpClient http;

    IngestClient(URI base, String apiKey, Duration connectTimeout, Duration requestTimeout, HttpClient http) {
        this.bulk = resolve(base, BULK_PATH);
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        this.requestTimeout = requestTimeout;
        this.http = http != null ? http : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    static URI resolve(URI base, String path) {
        String text = base.toString();
        return URI.create(text.endsWith("/") ? text : text + "/").resolve(path);
    }

    URI bulkUri() {
        return bulk;
    }

    boolean hasApiKey() {
        return apiKey != null;
    }

    /**
     * POSTs {@code ndjson} to the bulk endpoint, naming its submission, and waits for the answer,
     * whatever interrupts arrive.
     */
    Answer postBulk(byte[] ndjson, String submission) {
        HttpRequest.Builder request = HttpRequest.newBuilder(bulk)
                .timeout(requestTimeout)
                .header("Content-Type", NDJSON)
                .header("Accept", "application/json, application/problem+json")
                .header("User-Agent", "knowgate-push/" + Version.get())
                .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        if (submission != null) {
            request.header(SubmissionStatus.HEADER, submission);
        }
        boolean interrupted = false;
        CompletableFuture<HttpResponse<String>> future;
        try {
            future = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IllegalArgumentException e) {
            return new Answer(0, null, null, new IOException("invalid request: " + e.getMessage(), e), false);
        }
        while (true) {
            try {
                HttpResponse<String> response = future.get();
                return new Answer(response.statusCode(), response.headers(), response.body(), null, interrupted);
            } catch (InterruptedException e) {
                // Finish the batch in flight: the caller stops after it, with its outcome known.
                interrupted = true;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                IOException failure = cause instanceof IOException io ? io
                        : new IOException(cause == null ? "request failed" : cause.toString(), cause);
                return new Answer(0, null, null, failure, interrupted);
            }
        }
    }

    /** The failure in words: "cannot connect to 127.0.0.1:8081 (connection refused)", "cannot resolve host x", "no answer within 60 s". */
    String describe(IOException failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "could not connect to " + bulk.getAuthority() + " in time";
        }
        if (failure instanceof HttpTimeoutException) {
            return "no answer within " + Durations.format(requestTimeout);
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // The JDK client wraps a failed name lookup in a ConnectException without a message.
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "cannot resolve host " + bulk.getHost();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "cannot connect to " + bulk.getAuthority()
                        + (t.getMessage() == null || t.getMessage().isBlank() ? " (connection refused)" : " (" + t.getMessage() + ")");
            }
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * Why categorize-stream (--wait, knowgate-quarantine) did not answer: "cannot reach categorize-stream
     * at URL (connection refused)", "(cannot resolve host x)", "(no answer within 30 s)". The JDK client's
     * ConnectException often has no message, and wraps a failed name lookup in one.
     */
    static String unreachable(String service, URI base, IOException failure, Duration requestTimeout) {
        String why = null;
        for (Throwable t = failure; t != null && why == null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                why = "cannot resolve host " + base.getHost();
            }
        }
        if (why == null && failure instanceof HttpTimeoutException && !(failure instanceof HttpConnectTimeoutException)) {
            why = "no answer within " + Durations.format(requestTimeout);
        }
        if (why == null) {
            why = failure instanceof ConnectException && (failure.getMessage() == null || failure.getMessage().isBlank())
                    ? "connection refused" : failure.toString();
        }
        return "cannot reach " + service + " at " + base + " (" + why + ")";
    }

    /** "HTTP 503 Service Unavailable: broker unavailable" from an answer and its problem details. */
    static String describe(Answer answer) {
        String detail = problemText(answer.body());
        return "HTTP " + answer.status() + (detail == null ? "" : ": " + detail);
    }

    /** The problem's detail (or title), or the start of a non-JSON body; null when there is nothing. */
    static String problemText(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode node = tree(body);
        if (node != null && node.isObject()) {
            String detail = text(node, "detail");
            String title = text(node, "title");
            if (detail != null && title != null && !detail.contains(title)) {
                return title + ": " + detail;
            }
            if (detail != null || title != null) {
                return detail != null ? detail : title;
            }
        }
        String flat = body.strip().replaceAll("\\s+", " ");
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    /** The ids of a 202 answer, in line order; empty when absent or unreadable. */
    static List<String> acceptedIds(String body) {
        JsonNode node = tree(body);
        List<String> ids = new ArrayList<>();
        if (node != null && node.path("ids").isArray()) {
            for (JsonNode id : node.get("ids")) {
                if (id.isTextual()) {
                    ids.add(id.asText());
                }
            }
        }
        return ids;
    }

    /** The errors of a 422 problem: {@code errors[].line} (1-based in the body), field, reason, message. */
    static List<LineError> lineErrors(String body) {
        JsonNode node = tree(body);
        List<LineError> errors = new ArrayList<>();
        if (node == null || !node.path("errors").isArray()) {
            return errors;
        }
        for (JsonNode error : node.get("errors")) {
            JsonNode line = error.path("line");
            if (!line.canConvertToInt() || !line.isIntegralNumber()) {
                continue;
            }
            String reason = text(error, "reason");
            String message = text(error, "message");
            errors.add(new LineError(line.asInt(), text(error, "field"),
                    reason == null ? "rejected" : reason, message == null ? "refused by the service" : message));
        }
        return errors;
    }

    /** A code for a 422 that names no line: the first error's reason, else the problem type's last segment. */
    static String problemReason(String body) {
        JsonNode node = tree(body);
        if (node != null) {
            for (JsonNode error : node.path("errors")) {
                String reason = text(error, "reason");
                if (reason != null) {
                    return reason;
                }
            }
        }
        return "rejected";
    }

    /** Retry-After in seconds or as an HTTP date; empty when absent or unreadable. */
    static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        return headers == null ? Optional.empty() : RetryAfter.parse(headers.firstValue("Retry-After").orElse(null), now);
    }

    private static JsonNode tree(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
