package dev.knowgate.contracts;

/**
 * One observation behind an alert, e.g. ("knowgate-gpt@7", 0.12): what the detector saw.
 *
 * @param label what the value is for: a model version, a window start, ...
 * @param value the metric's value there
 */
public record EvidencePoint(String label, double value) {

    public EvidencePoint {
        Require.line("label", label, Example.MAX_LABEL_LENGTH);
        Require.finite("value", value);
    }
}
