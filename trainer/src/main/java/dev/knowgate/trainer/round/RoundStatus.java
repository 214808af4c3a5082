package dev.knowgate.trainer.round;

/** Where a round is, or how it ended. */
public enum RoundStatus {
    /** Training (the backend runs). */
    TRAINING,
    /** Published a version, then committed its offsets. */
    PUBLISHED,
    /** Nothing to train on (every example skipped): offsets committed, no version. */
    EMPTY,
    /** Failed: nothing published, offsets not committed, consumption paused. */
    FAILED,
    /** Found at start-up: a version published (or staged) for offsets not yet committed; committed without training. */
    RECOVERED
}
