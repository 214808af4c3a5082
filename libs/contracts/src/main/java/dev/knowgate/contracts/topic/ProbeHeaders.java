package dev.knowgate.contracts.topic;

/**
 * Kafka headers (UTF-8 values) that tag a probe example (purpose=probe) on examples.submitted with
 * the evaluation it belongs to. The monitor sets them; categorize-stream answers on probes.results.
 */
public final class ProbeHeaders {

    /** The model version (name@version) the evaluation is for: the probe waits until it is live. */
    public static final String MODEL = "knowgate-probe-model";
    /** The evaluation id copied into every ProbeResult; absent means "the version evaluated". */
    public static final String EVALUATION_ID = "knowgate-evaluation-id";

    private ProbeHeaders() {
    }
}
