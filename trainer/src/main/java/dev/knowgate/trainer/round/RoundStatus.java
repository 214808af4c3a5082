package dev.knowgate.trainer.round;

/** Where a round is, or how it ended. */
public enum RoundStatus {
    /** Training (the backend runs). */
    TRAINING,
    /** Its version is published as a candidate; the monitor's decision is awaited; offsets not committed. */
    AWAITING_DECISION,
    /** Its version was promoted: offsets committed, the next round trains from it. */
    PROMOTED,
    /** Its version was rejected; its examples are trained again (the next record, a retry) from the last promoted version. */
    REJECTED,
    /** Its version was rejected and its examples set aside on examples.parked, with the round's offsets committed. */
    PARKED,
    /** Nothing to train on (every example skipped): offsets committed, no version. */
    EMPTY,
    /** Failed: nothing published, offsets not committed, consumption paused. */
    FAILED,
    /** Found at start-up: a version published (or staged) for offsets not yet committed, taken up without training again. */
    RECOVERED
}
