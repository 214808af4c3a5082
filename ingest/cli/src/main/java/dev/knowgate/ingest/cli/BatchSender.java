package dev.knowgate.ingest.cli;

import dev.knowgate.resilience.Backoff;
import dev.knowgate.resilience.Sleeper;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Sends one batch to the bulk endpoint until the service acknowledges it (or the part it did not refuse), and
 * classifies every answer: 2xx acknowledged; 422 marks the lines it names and sends the rest again; 413 splits
 * the batch (or refuses a lone example); 401/403 and other final 4xx stop the push; no answer, 408, 429 and 5xx
 * are retried with the backoff, honouring Retry-After.
 */
final class BatchSender {

    /** What sending a batch came to. */
    sealed interface Sent permits Acknowledged, Split, Stopped {
    }

    /** The service has the batch's examples; {@code ids} in line order. */
    record Acknowledged(List<String> ids, int requests, boolean anyAccepted) implements Sent {
    }

    /** Too large for the service: send it as two halves, and batches of at most {@code batchLimit} from now on. */
    record Split(int batchLimit) implements Sent {
    }

    record Stopped(PushStop stop) implements Sent {
    }

    /** The push a batch belongs to: its counts, its listener and how it is cancelled. */
    interface Session {
        PushLedger ledger();

        /** The submission every request names. */
        String submission();

        PushListener listener();

        Cancellation cancellation();

        /** Whether the push is cancelled (an interrupt of the thread counts). */
        boolean cancelled();

        /** An interrupt was seen: the push is cancelled. */
        void noteInterrupt();

        /** The stop of a cancelled push. */
        PushStop interrupted();
    }

    private final URI url;
    private final IngestClient client;
    private final int maxRetries;
    private final Backoff backoff;
    private final RandomGenerator random;
    private final Sleeper sleeper;
    private final Clock clock;

    /** @param sleeper how retry waits are done; null: on the push's cancellation, so that a cancel ends a wait */
    BatchSender(URI url, IngestClient client, int maxRetries, Backoff backoff, RandomGenerator random, Sleeper sleeper,
                Clock clock) {
        this.url = url;
        this.client = client;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
        this.random = random;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    Sent send(PushBatch batch, Session session) {
        int retry = 0;
        int made = 0;
        while (true) {
            List<PushBatch.Entry> toSend = batch.toSend();
            if (toSend.isEmpty()) {
                return new Acknowledged(List.of(), made, false); // the service refused every line
            }
            made++;
            session.ledger().requestMade();
            IngestClient.Answer answer = client.postBulk(body(batch, toSend), session.submission());
            if (answer.interrupted()) {
                session.noteInterrupt();
            }
            String cause;
            Optional<Duration> retryAfter = Optional.empty();
            if (!answer.answered()) {
                cause = client.describe(answer.failure());
            } else {
                int status = answer.status();
                if (status == 200 || status == 201 || status == 202) {
                    List<String> ids = IngestClient.acceptedIds(answer.body());
                    if (ids.size() != toSend.size()) {
                        ids = toSend.stream().map(e -> e.id).toList();
                    }
                    return new Acknowledged(ids, made, true);
                }
                if (status == 422) {
                    refuse(toSend, answer.body());
                    retry = 0;
                    continue;
                }
                if (status == 401) {
                    return new Stopped(new PushStop(PushStatus.AUTH_FAILED, (client.hasApiKey()
                            ? "the ingest service at " + url + " refused the API key ("
                            : "no API key was given and the ingest service at " + url + " requires one (")
                            + IngestClient.describe(answer) + "); give one with --api-key or KNOWGATE_API_KEY"));
                }
                if (status == 403) {
                    return new Stopped(new PushStop(PushStatus.AUTH_FAILED, "the API key may not push these examples ("
                            + IngestClient.describe(answer) + "); pushing examples needs the ingest right,"
                            + " probe examples a separate one"));
                }
                if (status == 413) {
                    if (toSend.size() > 1) {
                        return new Split(Math.max(1, toSend.size() / 2));
                    }
                    PushBatch.Entry only = toSend.get(0);
                    only.rejection = new Rejection(only.startLine, null, "too_long",
                            "the service refused the example as too large (" + IngestClient.describe(answer) + ")", true);
                    continue;
                }
                if (status != 408 && status != 429 && status < 500) {
                    return new Stopped(new PushStop(PushStatus.FAILED, "the ingest service at " + client.bulkUri()
                            + " refused the batch of lines " + batch.firstLine() + "-" + batch.lastLine() + " ("
                            + IngestClient.describe(answer) + ")" + (status == 404 ? "; is --url right?" : "")));
                }
                cause = IngestClient.describe(answer);
                retryAfter = IngestClient.retryAfter(answer.headers(), clock.instant());
            }
            retry++;
            if (retry > maxRetries) {
                return new Stopped(new PushStop(PushStatus.GAVE_UP, "gave up on the batch of lines " + batch.firstLine()
                        + "-" + batch.lastLine() + " after " + maxRetries + (maxRetries == 1 ? " retry" : " retries")
                        + ": " + cause));
            }
            if (session.cancelled()) {
                return new Stopped(session.interrupted());
            }
            Duration delay = backoff.delay(retry, retryAfter, random);
            session.ledger().retried();
            session.listener().retrying(new PushListener.Retry(retry, maxRetries, delay, cause, batch.firstLine()));
            try {
                (sleeper != null ? sleeper : (Sleeper) session.cancellation()::await).sleep(delay);
            } catch (InterruptedException e) {
                session.noteInterrupt();
            }
            if (session.cancelled()) {
                return new Stopped(session.interrupted());
            }
        }
    }

    private static byte[] body(PushBatch batch, List<PushBatch.Entry> toSend) {
        ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, batch.bytes));
        for (PushBatch.Entry e : toSend) {
            body.writeBytes(e.json);
            body.write('\n');
        }
        return body.toByteArray();
    }

    /** Marks the lines a 422 names as refused; when it names none of them, all of them. */
    private static void refuse(List<PushBatch.Entry> sent, String body) {
        boolean any = false;
        for (IngestClient.LineError error : IngestClient.lineErrors(body)) {
            if (error.line() >= 1 && error.line() <= sent.size()) {
                PushBatch.Entry e = sent.get(error.line() - 1);
                if (e.rejection == null) {
                    e.rejection = new Rejection(e.startLine, error.field(), error.reason(), error.message(), true);
                    any = true;
                }
            }
        }
        if (!any) {
            String reason = IngestClient.problemReason(body);
            String text = IngestClient.problemText(body);
            for (PushBatch.Entry e : sent) {
                e.rejection = new Rejection(e.startLine, null, reason,
                        "the service refused the batch without naming lines (" + (text == null ? "HTTP 422" : text) + ")", true);
            }
        }
    }
}
