package dev.knowgate.contracts;

import java.util.List;

/**
 * The answer of GET /v1/quarantine: the quarantined examples that match a filter, oldest first, from
 * every categorize-stream instance.
 *
 * @param total   how many match (before the limit)
 * @param entries the first {@code limit} of them
 */
public record QuarantinePage(long total, List<QuarantineEntry> entries) {

    public QuarantinePage {
        Require.atLeast("total", total, 0L);
        entries = Require.list("entries", entries, Integer.MAX_VALUE, (path, e) -> e);
    }
}
