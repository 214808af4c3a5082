package dev.knowgate.contracts;

/**
 * One verdict with its example and where it was routed: the value on examples.categorized
 * (the audit log) and, for the routed copies, on examples.accepted and examples.quarantined.
 *
 * <p>Probes never reach training: an example with purpose probe is routed as a probe, and
 * only probes are.
 */
public record CategorizedExample(Example example, Verdict verdict, Route route) {

    public CategorizedExample {
        Require.present("example", example);
        Require.present("verdict", verdict);
        Require.present("route", route);
        if (!verdict.exampleId().equals(example.id())) {
            throw ContractViolation.invalid("verdict.exampleId", "is " + Require.quote(verdict.exampleId())
                    + " but the example's id is " + Require.quote(example.id()));
        }
        boolean probe = example.purpose() == Purpose.PROBE;
        if (probe != (route == Route.PROBE)) {
            throw ContractViolation.invalid("route", probe
                    ? "must be 'probe' for an example with purpose 'probe', got '" + route.wireName() + "'"
                    : "is 'probe' but the example's purpose is '" + example.purpose().wireName() + "'");
        }
    }
}
