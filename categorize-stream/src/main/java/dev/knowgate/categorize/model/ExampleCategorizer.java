package dev.knowgate.categorize.model;

import dev.knowgate.contracts.Example;

import java.util.List;
import java.util.Optional;

/**
 * What the stream needs of the loaded models: the live version, which judges every training
 * example, and the versions probe evaluations name, each judged under itself.
 */
public interface ExampleCategorizer {

    /** Whether a version can answer now, will be able to later, or never will. */
    record Availability(State state, String reason) {

        public enum State { READY, PENDING, REFUSED }

        static Availability ready() {
            return new Availability(State.READY, null);
        }

        static Availability pending() {
            return new Availability(State.PENDING, null);
        }

        static Availability refused(String reason) {
            return new Availability(State.REFUSED, reason);
        }
    }

    /** The version serving verdicts now; empty until one is loaded. */
    Optional<ModelRef> live();

    /** Whether {@code version} is loaded; asking for one that is not makes it wanted (it is loaded when announced). */
    Availability availability(ModelRef version);

    /**
     * Categorizes the examples under the live version, in order; empty while no model is loaded.
     * Probe examples also get the plain-question check.
     */
    Optional<CategorizedBatch> categorize(List<Example> examples) throws Exception;

    /** The same under {@code version}; empty when it is not loaded (any more). */
    Optional<CategorizedBatch> categorize(ModelRef version, List<Example> examples) throws Exception;
}
