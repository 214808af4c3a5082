package dev.knowgate.ingest.cli;

import java.util.Map;
import java.util.TreeMap;

/**
 * Running totals of a push, over every run of the same file (a resumed run continues them).
 *
 * @param linesRead        non-blank records read (for CSV: data rows)
 * @param accepted         examples the service acknowledged (in a dry run: valid examples)
 * @param rejected         lines invalid locally or refused by the service (duplicates not included)
 * @param duplicates       lines whose id an earlier line already had; not sent
 * @param batches          bulk requests the service acknowledged (in a dry run: that would be sent)
 * @param requests         HTTP requests made, retries and 422 resends included
 * @param retries          requests repeated after a failure (unreachable, timeout, 5xx, 503)
 * @param rejectedByReason rejected lines per reason code (duplicates not included)
 */
public record PushCounts(long linesRead, long accepted, long rejected, long duplicates, long batches,
                         long requests, long retries, Map<String, Long> rejectedByReason) {

    public static final PushCounts ZERO = new PushCounts(0, 0, 0, 0, 0, 0, 0, Map.of());

    public PushCounts {
        rejectedByReason = rejectedByReason == null ? Map.of() : Map.copyOf(new TreeMap<>(rejectedByReason));
    }

    /** Lines not accepted for any reason, duplicates included. */
    public long notAccepted() {
        return rejected + duplicates;
    }
}
