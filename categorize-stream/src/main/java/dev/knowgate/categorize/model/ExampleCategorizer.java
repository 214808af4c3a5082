package dev.knowgate.categorize.model;

import dev.knowgate.contracts.Example;

import java.util.List;
import java.util.Optional;

/** What the stream needs of the live model: which version it is, and SliCK verdicts under it. */
public interface ExampleCategorizer {

    /** The version serving now; empty until one is loaded. */
    Optional<ModelRef> live();

    /**
     * Categorizes the examples under one model version (the live one at the call), in order;
     * empty while no model is loaded. Probe examples also get the plain-question check.
     */
    Optional<CategorizedBatch> categorize(List<Example> examples) throws Exception;
}
