package dev.knowgate.ingest.cli;

/**
 * A push that cannot start or go on because of its input or its state file: the file is
 * unreadable, its CSV header lacks a required column, it changed since the saved progress, or
 * the state file cannot be written. Nothing further was sent. knowgate-push exits with
 * {@link #EXIT_CODE} (2).
 */
public final class PushException extends Exception {

    public static final int EXIT_CODE = 2;
    private static final long serialVersionUID = 1L;

    public PushException(String message) {
        super(message);
    }

    public PushException(String message, Throwable cause) {
        super(message, cause);
    }
}
