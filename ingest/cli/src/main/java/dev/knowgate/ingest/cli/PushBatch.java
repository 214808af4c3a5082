package dev.knowgate.ingest.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive input records of a push, committed together once the service acknowledged their examples: the
 * planning side of a push (what goes in one request, and how a batch the service finds too large is halved).
 */
final class PushBatch {

    /** One entry of a batch: an example to send, or a line already judged (rejected, duplicate). */
    static final class Entry {
        final long startLine;
        final long endLine;
        final String id;
        final byte[] json;
        Rejection rejection;

        Entry(long startLine, long endLine, String id, byte[] json, Rejection rejection) {
            this.startLine = startLine;
            this.endLine = endLine;
            this.id = id;
            this.json = json;
            this.rejection = rejection;
        }

        boolean sendable() {
            return rejection == null;
        }
    }

    final List<Entry> entries = new ArrayList<>();
    int sendable;
    long bytes;

    void add(Entry e) {
        entries.add(e);
        if (e.sendable()) {
            sendable++;
            bytes += e.json.length + 1L;
        }
    }

    /** Whether {@code e} must go in the next batch instead: this one holds {@code limit} examples or the body limit. */
    boolean full(Entry e, int limit, long maxBodyBytes) {
        return e.sendable() && (sendable >= limit || bytes + e.json.length + 1 > maxBodyBytes);
    }

    List<Entry> toSend() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.sendable()) {
                out.add(e);
            }
        }
        return out;
    }

    long firstLine() {
        return entries.get(0).startLine;
    }

    long lastLine() {
        return entries.get(entries.size() - 1).endLine;
    }

    /** Two batches: the first holds the first half of the sendable entries and everything before them. */
    PushBatch[] halves() {
        List<Entry> send = toSend();
        Entry firstOfSecond = send.get(send.size() / 2);
        PushBatch a = new PushBatch();
        PushBatch b = new PushBatch();
        boolean second = false;
        for (Entry e : entries) {
            second |= e == firstOfSecond;
            (second ? b : a).add(e);
        }
        return new PushBatch[] {a, b};
    }
}
