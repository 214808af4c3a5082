package dev.knowgate.categorize.model;

/**
 * A model version that will not serve: the reason is a metric tag (snake_case), the message says
 * which file or field is at fault.
 */
public final class ModelRefusedException extends Exception {

    private final String reason;

    public ModelRefusedException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
