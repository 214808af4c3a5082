package dev.knowgate.contracts.topic;

/**
 * Kafka headers (UTF-8 values) on examples.parked: the value is the example as it was accepted
 * (a CategorizedExample), the headers say which rejected version it was trained into and why.
 */
public final class ParkedHeaders {

    /** The rejected version (name@version) whose round held the example. */
    public static final String CANDIDATE = "knowgate-parked-candidate";
    /** The decision's reason. */
    public static final String REASON = "knowgate-parked-reason";
    /** How many versions were trained on it and rejected (1 + retries). */
    public static final String ATTEMPTS = "knowgate-parked-attempts";

    private ParkedHeaders() {
    }
}
