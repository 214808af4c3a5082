package dev.knowgate.ingest.cli;

/** How a push ended. */
public enum PushStatus {
    /** Every line was handled: sent and acknowledged, or rejected (exit 0, or 1 when any was rejected). */
    COMPLETE,
    /** The state file says this input was already pushed completely; nothing was sent (exit 0). */
    ALREADY_COMPLETE,
    /** Cancelled or interrupted; progress up to the last acknowledged batch is saved (exit 130). */
    INTERRUPTED,
    /** The service refused the API key (401) or its rights (403); nothing more was sent (exit 3). */
    AUTH_FAILED,
    /** The service stayed unreachable, timed out or answered 5xx through every retry (exit 4). */
    GAVE_UP,
    /** The service refused a batch for a reason other than its content (400, 404, 415, ...) (exit 4). */
    FAILED
}
