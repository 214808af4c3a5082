package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.resilience.Sleeper;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code knowgate-push --wait}: asks categorize-stream what became of a submission
 * ({@code GET /v1/submissions/{id}}) until every example it received has a verdict or a rejection
 * and it has received at least as many records as the push had acknowledged, or until a deadline;
 * {@code --report} then reads each example's latest outcome ({@code /examples}) into a file.
 */
final class VerdictWaiter {

    /** How it ended. */
    sealed interface Outcome permits Settled, TimedOut, Refused {
    }

    /** Every example has a verdict or a rejection. */
    record Settled(SubmissionStatus status) implements Outcome {
    }

    /** The deadline passed; the last status seen, if any, and why it was not settled. */
    record TimedOut(SubmissionStatus last, String why) implements Outcome {
    }

    /** categorize-stream refused the key (401/403) or the request (400). */
    record Refused(String why) implements Outcome {
    }

    static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Clock clock;
    private final Sleeper sleeper;

    VerdictWaiter(URI base, String apiKey, Duration connectTimeout, Clock clock, Sleeper sleeper) {
        this.base = base;
        this.apiKey = apiKey;
        this.clock = clock;
        this.sleeper = sleeper;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    /**
     * Polls until the submission has received {@code records} records and none is pending, the
     * deadline passes, or the key is refused; {@code progress} sees every status read.
     */
    Outcome await(String submission, long records, Duration timeout, Consumer<SubmissionStatus> progress)
            throws InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        SubmissionStatus last = null;
        String why = "no answer yet";
        while (true) {
            Answer a = get(statusUri(submission));
            if (a.status == 200) {
                try {
                    last = ContractJson.read(a.body, SubmissionStatus.class);
                    progress.accept(last);
                    if (last.settled() && last.records() >= records) {
                        return new Settled(last);
                    }
                    why = last.records() < records
                            ? (records - last.records()) + " of the pushed examples have not reached categorize-stream"
                            : last.pending() + " examples still wait for a verdict";
                } catch (ContractViolation v) {
                    why = "categorize-stream answered something that is not a submission status: " + v.getMessage();
                }
            } else if (a.status == 401 || a.status == 403 || a.status == 400) {
                return new Refused("categorize-stream answered HTTP " + a.status + ": " + IngestClient.problemText(a.body));
            } else if (a.status == 404) {
                why = "no example of submission " + submission + " has reached categorize-stream yet";
            } else {
                why = a.failure != null ? a.failure : "HTTP " + a.status + ": " + IngestClient.problemText(a.body);
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return new TimedOut(last, why);
            }
            sleeper.sleep(left.compareTo(POLL) < 0 ? left : POLL);
        }
    }

    /**
     * Writes the latest outcome of each of the submission's examples to {@code file}, one JSON line
     * each (atomically: a temporary file moved over it); returns how many.
     */
    long report(String submission, Path file) throws IOException {
        Answer a = get(URI.create(statusUri(submission) + "/examples"));
        if (a.status != 200) {
            throw new IOException("categorize-stream did not give the examples of " + submission + ": "
                    + (a.failure != null ? a.failure : "HTTP " + a.status + ": " + IngestClient.problemText(a.body)));
        }
        List<String> lines = new ArrayList<>();
        for (String line : a.body.split("\n")) {
            if (!line.isBlank()) {
                // Parsed, so that the file holds only what the contract allows.
                lines.add(ContractJson.writeString(ContractJson.read(line, SubmissionOutcome.class)));
            }
        }
        Path target = file.toAbsolutePath().normalize();
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
            for (String line : lines) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.getFD().sync();
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        return lines.size();
    }

    private URI statusUri(String submission) {
        return IngestClient.resolve(base, "v1/submissions/" + URLEncoder.encode(submission, StandardCharsets.UTF_8));
    }

    private record Answer(int status, String body, String failure) {
    }

    private Answer get(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET()
                .header("Accept", "application/json, application/x-ndjson, application/problem+json")
                .header("User-Agent", "knowgate-push/" + Version.get());
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), null);
        } catch (IOException e) {
            return new Answer(0, null, IngestClient.unreachable("categorize-stream", base, e, REQUEST_TIMEOUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, null, "interrupted");
        }
    }
}
