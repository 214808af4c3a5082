package dev.knowgate.trainer.round;

import java.time.Duration;
import java.time.Instant;

/**
 * When the examples pending make a round: when one is asked for (POST /v1/rounds), when a round's
 * worth is pending, when enough of them can be trained on, or when the oldest has waited long enough.
 *
 * @param minExamples trainable examples that make a round
 * @param maxExamples examples a round takes at most; that many pending make one
 * @param maxWait     how long the oldest pending example waits at most
 */
record RoundTrigger(int minExamples, int maxExamples, Duration maxWait) {

    /**
     * @param pending   examples pending
     * @param trainable of which in a category the mix trains on
     * @param oldest    when the oldest pending example was read
     * @param asked     whether a round was asked for
     */
    boolean due(int pending, long trainable, Instant oldest, boolean asked, Instant now) {
        if (pending == 0) {
            return false;
        }
        if (asked || pending >= maxExamples || trainable >= minExamples) {
            return true;
        }
        return Duration.between(oldest, now).compareTo(maxWait) >= 0;
    }
}
