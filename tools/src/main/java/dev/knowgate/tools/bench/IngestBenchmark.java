package dev.knowgate.tools.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for the ingest service (not a test): sustained examples/s of bulk requests and
 * the latency distribution of single-example requests, over loopback, every example acknowledged by
 * the broker (a 202 means committed). Run through {@code bin/bench-ingest}.
 *
 * <p>Arguments: url, api key, bulk requests per concurrency level, examples per bulk request,
 * single-example requests, concurrency levels (comma-separated).
 */
public final class IngestBenchmark {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI bulk;
    private final URI single;
    private final String apiKey;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong sequence = new AtomicLong();

    private IngestBenchmark(String url, String apiKey) {
        this.bulk = URI.create(url + "/v1/examples/bulk");
        this.single = URI.create(url + "/v1/examples");
        this.apiKey = apiKey;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: IngestBenchmark URL API_KEY BULK_REQUESTS BULK_SIZE SINGLE_REQUESTS CONCURRENCY[,..]");
            System.exit(2);
        }
        IngestBenchmark bench = new IngestBenchmark(args[0], args[1]);
        int bulkRequests = Integer.parseInt(args[2]);
        int bulkSize = Integer.parseInt(args[3]);
        int singles = Integer.parseInt(args[4]);
        int[] levels = Arrays.stream(args[5].split(",")).mapToInt(Integer::parseInt).toArray();

        System.out.printf(Locale.ROOT, "warm-up: %d bulk and %d single requests%n", 10, 300);
        bench.bulkRun(10, bulkSize, 2);
        bench.singleRun(300);

        System.out.println();
        System.out.println("| bulk: concurrent requests | requests x examples | examples/s | request p50 ms | request p99 ms |");
        System.out.println("|---|---|---|---|---|");
        for (int level : levels) {
            Result r = bench.bulkRun(bulkRequests, bulkSize, level);
            System.out.printf(Locale.ROOT, "| %d | %d x %d | %.0f | %.1f | %.1f |%n", level, bulkRequests, bulkSize,
                    r.examples / r.seconds, r.percentile(0.50), r.percentile(0.99));
        }
        Result s = bench.singleRun(singles);
        System.out.println();
        System.out.println("| single-example requests (sequential) | requests/s | p50 ms | p99 ms | p99.9 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d | %.0f | %.2f | %.2f | %.2f | %.2f |%n", singles, singles / s.seconds,
                s.percentile(0.50), s.percentile(0.99), s.percentile(0.999), s.percentile(1.0));
    }

    /** Wall time, examples, and each request's latency in ms. */
    private record Result(double seconds, long examples, double[] latenciesMs) {
        double percentile(double p) {
            double[] sorted = latenciesMs.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    private Result bulkRun(int requests, int size, int concurrency) throws Exception {
        List<String> bodies = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            StringBuilder body = new StringBuilder(size * 90);
            for (int j = 0; j < size; j++) {
                body.append(example()).append('\n');
            }
            bodies.add(body.toString());
        }
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long start = System.nanoTime();
            List<Future<Double>> results = new ArrayList<>();
            for (String body : bodies) {
                results.add(pool.submit(() -> post(bulk, "application/x-ndjson", body)));
            }
            double[] latencies = new double[requests];
            for (int i = 0; i < requests; i++) {
                latencies[i] = results.get(i).get();
            }
            return new Result((System.nanoTime() - start) / 1e9, (long) requests * size, latencies);
        } finally {
            pool.shutdownNow();
        }
    }

    private Result singleRun(int requests) throws Exception {
        double[] latencies = new double[requests];
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            latencies[i] = post(single, "application/json", example());
        }
        return new Result((System.nanoTime() - start) / 1e9, requests, latencies);
    }

    private String example() {
        long n = sequence.incrementAndGet();
        return "{\"question\":\"Where was Bench " + run + "-" + n + " born?\",\"answer\":\"Town " + (n % 1000)
                + "\",\"relation\":\"birthplace\",\"source\":\"bench\"}";
    }

    /** One request; its latency in ms. Anything but 202 stops the benchmark: numbers must be for accepted data. */
    private double post(URI uri, String contentType, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                .header("X-Api-Key", apiKey).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - start) / 1e6;
        if (response.statusCode() != 202) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return ms;
    }
}
