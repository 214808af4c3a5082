package dev.knowgate.contracts;

/**
 * How many of the facts a version was trained on it now answers: greedy, plain question (the way
 * probes are scored), measured by the trainer on the installed version.
 *
 * @param answered trained facts the version answers correctly
 * @param trained  trained facts
 */
public record LearnedCount(int answered, int trained) {

    public LearnedCount {
        Require.atLeast("trained", trained, 0);
        Require.atLeast("answered", answered, 0);
        if (answered > trained) {
            throw ContractViolation.invalid("answered", "is more than trained (" + trained + ")");
        }
    }

    public double share() {
        return trained == 0 ? 0 : (double) answered / trained;
    }

    public LearnedCount plus(LearnedCount other) {
        return new LearnedCount(answered + other.answered, trained + other.trained);
    }
}
