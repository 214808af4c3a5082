package dev.knowgate.ingest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.knowgate.contracts.json.ContractJson;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A FAKE bulk endpoint (JDK HttpServer) for what the real service cannot be made to do on demand:
 * fail with 503 and Retry-After, refuse the key, answer 422 for chosen lines, stall a request.
 * It records every request; by default it accepts every line like the real one (202 + ids).
 */
final class FakeIngest implements AutoCloseable {

    static final JsonMapper JSON = ContractJson.mapper();

    /** One request as received. */
    record Request(int number, String authorization, String contentType, String submission, List<JsonNode> lines) {
        List<String> questions() {
            return lines.stream().map(l -> l.path("question").asText()).toList();
        }
    }

    /** An answer to give. */
    record Reply(int status, String contentType, String body, Map<String, String> headers) {
        static Reply accepted(Request r) {
            ObjectNode body = JSON.createObjectNode().put("accepted", r.lines().size());
            ArrayNode ids = body.putArray("ids");
            r.lines().forEach(l -> ids.add(l.path("id").asText()));
            return new Reply(202, "application/json", body.toString(), Map.of());
        }

        static Reply problem(int status, String title, String detail, Map<String, String> headers) {
            ObjectNode body = JSON.createObjectNode().put("type", "about:blank").put("title", title).put("status", status);
            if (detail != null) {
                body.put("detail", detail);
            }
            return new Reply(status, "application/problem+json", body.toString(), headers);
        }

        /** 422 naming {@code lines} (1-based in the request) as refused with {@code reason}. */
        static Reply unprocessable(String reason, String field, int... lines) {
            ObjectNode body = JSON.createObjectNode().put("type", "about:blank").put("title", "Unprocessable examples")
                    .put("status", 422).put("detail", lines.length + " lines refused");
            ArrayNode errors = body.putArray("errors");
            for (int line : lines) {
                errors.addObject().put("line", line).put("field", field).put("reason", reason)
                        .put("message", "the key may not submit this " + field);
            }
            return new Reply(422, "application/problem+json", body.toString(), Map.of());
        }
    }

    private final HttpServer server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    /** Scripted answers, used first in order; then {@link #fallback}. */
    private final ConcurrentLinkedDeque<Function<Request, Reply>> script = new ConcurrentLinkedDeque<>();
    private volatile Function<Request, Reply> fallback = Reply::accepted;

    FakeIngest() throws IOException {
        this(0);
    }

    FakeIngest(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-ingest");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/examples/bulk", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                List<JsonNode> lines = new ArrayList<>();
                for (String line : body.split("\n")) {
                    if (!line.isBlank()) {
                        lines.add(JSON.readTree(line));
                    }
                }
                Request request;
                synchronized (requests) {
                    request = new Request(requests.size() + 1, exchange.getRequestHeaders().getFirst("Authorization"),
                            exchange.getRequestHeaders().getFirst("Content-Type"),
                            exchange.getRequestHeaders().getFirst("Knowgate-Submission"), List.copyOf(lines));
                    requests.add(request);
                }
                Function<Request, Reply> next = script.poll();
                Reply reply = (next != null ? next : fallback).apply(request);
                if (reply.status() == 202) {
                    accepted.addAll(request.questions());
                }
                exchange.getResponseHeaders().add("Content-Type", reply.contentType());
                reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(reply.status(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Answers the next request with {@code reply} (then the next scripted one, then the fallback). */
    FakeIngest then(Function<Request, Reply> reply) {
        script.add(reply);
        return this;
    }

    FakeIngest otherwise(Function<Request, Reply> reply) {
        fallback = reply;
        return this;
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** How many times each question was in a request answered 202, in arrival order. */
    Map<String, Integer> acceptedCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        synchronized (accepted) {
            accepted.forEach(q -> counts.merge(q, 1, Integer::sum));
        }
        return counts;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
