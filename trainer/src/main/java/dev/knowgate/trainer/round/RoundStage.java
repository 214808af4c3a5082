package dev.knowgate.trainer.round;

/** The steps of a round, in order; a crash after any of them loses no example and publishes no version twice. */
public enum RoundStage {
    /** The backend wrote the new version's files into the staging folder. */
    TRAINED,
    /** Sealed, checked and renamed into the registry; not yet announced. */
    REGISTERED,
    /** On the models topic as a candidate; the decision on it is awaited; offsets not yet committed. */
    PUBLISHED,
    /** The round's offsets are committed (its version promoted, or its examples parked). */
    COMMITTED;

    /** Called as a round passes each stage (tests use it to kill the trainer there). */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (stage, roundId) -> {
        };

        void reached(RoundStage stage, String roundId);
    }
}
