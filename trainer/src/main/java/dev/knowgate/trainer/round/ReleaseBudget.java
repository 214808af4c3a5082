package dev.knowgate.trainer.round;

/**
 * How many released examples (quarantined facts a curator sent to training on purpose) a round
 * admits: at most {@code share} of its trainable examples, released ones included, rounded down
 * (knowgate.trainer.released.budget; docs/curators.md).
 */
public final class ReleaseBudget {

    private ReleaseBudget() {
    }

    /** The released examples a round of {@code others} other trainable examples admits. */
    public static int admits(double share, int others) {
        if (share <= 0) {
            return 0;
        }
        return (int) Math.floor(share / (1 - share) * others + 1e-9);
    }
}
