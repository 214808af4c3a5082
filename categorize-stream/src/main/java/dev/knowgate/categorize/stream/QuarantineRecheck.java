package dev.knowgate.categorize.stream;

/**
 * Whether a newly promoted live version judges the quarantined examples again, and at most how
 * many per version on each stream task (input partition); off by default, for large queues.
 */
public record QuarantineRecheck(boolean enabled, int maxPerVersion) {

    public static final QuarantineRecheck OFF = new QuarantineRecheck(false, 1000);

    public QuarantineRecheck {
        if (maxPerVersion < 0) {
            throw new IllegalArgumentException("quarantine recheck-max-per-version must be >= 0, got " + maxPerVersion);
        }
    }
}
