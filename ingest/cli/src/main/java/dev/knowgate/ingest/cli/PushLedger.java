package dev.knowgate.ingest.cli;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counts and the state of one push: what is committed (every line up to {@link #linesHandled()}, with the
 * totals and the kept rejections that the state file saves) and what this run did live (requests, retries).
 */
final class PushLedger {

    // committed: covers exactly the lines up to linesHandled
    private long linesHandled;
    private long linesRead;
    private long accepted;
    private long rejected;
    private long duplicates;
    private long batches;
    private final Map<String, Long> byReason = new TreeMap<>();
    private final List<Rejection> kept = new ArrayList<>();
    // live: every request made, committed or not
    private long requests;
    private long retries;
    private long acceptedThisRun;

    /** Continues the totals of an earlier run of the same file. */
    void restore(PushState state) {
        linesHandled = state.linesHandled();
        PushCounts c = state.counts();
        linesRead = c.linesRead();
        accepted = c.accepted();
        rejected = c.rejected();
        duplicates = c.duplicates();
        batches = c.batches();
        requests = c.requests();
        retries = c.retries();
        byReason.putAll(c.rejectedByReason());
        kept.addAll(state.rejections());
    }

    /**
     * Commits a batch: every entry counted as accepted or by its rejection, the progress moved to its last line.
     *
     * @param acknowledged whether a request for it was acknowledged (it counts as a batch)
     * @return the batch's rejections
     */
    List<Rejection> commit(PushBatch batch, boolean acknowledged) {
        List<Rejection> refused = new ArrayList<>();
        for (PushBatch.Entry e : batch.entries) {
            linesRead++;
            if (e.rejection == null) {
                accepted++;
                acceptedThisRun++;
                continue;
            }
            refused.add(e.rejection);
            if (e.rejection.duplicate()) {
                duplicates++;
            } else {
                rejected++;
                byReason.merge(e.rejection.reason(), 1L, Long::sum);
            }
            if (kept.size() < PushState.MAX_KEPT_REJECTIONS) {
                kept.add(e.rejection);
            }
        }
        if (acknowledged) {
            batches++;
        }
        linesHandled = batch.lastLine();
        return refused;
    }

    void requestMade() {
        requests++;
    }

    void retried() {
        retries++;
    }

    long linesHandled() {
        return linesHandled;
    }

    long acceptedThisRun() {
        return acceptedThisRun;
    }

    long batches() {
        return batches;
    }

    List<Rejection> kept() {
        return kept;
    }

    PushCounts counts() {
        return new PushCounts(linesRead, accepted, rejected, duplicates, batches, requests, retries, byReason);
    }

    /** What the state file saves now. */
    PushState state(String status, Fingerprint input, InputFormat format, URI target, Instant startedAt, Instant now,
                    String submission) {
        return new PushState(PushState.VERSION, status, input, format.label(), target.toString(), linesHandled,
                counts(), kept, startedAt, now, submission);
    }
}
