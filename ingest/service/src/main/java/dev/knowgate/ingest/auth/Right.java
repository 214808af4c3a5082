package dev.knowgate.ingest.auth;

/** What an API key allows at ingest (written in lower case in key files and configuration). */
public enum Right {
    /** Push training examples. */
    SUBMIT,
    /** Push probe examples (purpose=probe), which steer what the monitor measures. */
    PROBE
}
