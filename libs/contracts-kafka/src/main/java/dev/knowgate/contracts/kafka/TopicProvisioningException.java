package dev.knowgate.contracts.kafka;

/** The topics could not be created or do not have the shape an invariant needs. */
public class TopicProvisioningException extends RuntimeException {

    public TopicProvisioningException(String message) {
        super(message);
    }

    public TopicProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
