package dev.knowgate.tools.experiments;

import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.round.ReleaseBudget;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The released examples waiting for a round, as the rounds simulation's curator and trainer handle them: each
 * round admits the oldest up to the trainer's budget ({@link ReleaseBudget#admits}, the service's rule) and the
 * rest wait. A rejected round's released examples come back at the end of the queue: the trainer returns them
 * to the quarantine, and the curator's second release arrives after the ones already waiting.
 */
final class ReleasedQueue {

    private final double share;
    private final ArrayDeque<RoundExample> waiting = new ArrayDeque<>();
    private int released;
    private int returned;

    /** @param share the trainer's budget: the most released examples may make up of a round's trainable ones */
    ReleasedQueue(double share) {
        this.share = share;
    }

    /** A curator releases a quarantined example: it waits, marked released, behind the earlier ones. */
    void release(RoundExample e) {
        if (!e.released() || e.replay()) {
            throw new IllegalArgumentException("not a fresh released example: " + e.id());
        }
        waiting.addLast(e);
        released++;
    }

    /** The oldest waiting examples a round of {@code others} other trainable examples admits; they leave the queue. */
    List<RoundExample> admit(int others) {
        int n = Math.min(waiting.size(), ReleaseBudget.admits(share, others));
        List<RoundExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(waiting.removeFirst());
        }
        return out;
    }

    /** A rejected round's released examples: released again, behind what waits. */
    void returned(List<RoundExample> examples) {
        examples.forEach(waiting::addLast);
        returned += examples.size();
    }

    double share() {
        return share;
    }

    /** Examples released, each counted once (a return is not a new release). */
    int released() {
        return released;
    }

    /** Examples rejected rounds gave back (an example returned twice counts twice). */
    int returnedCount() {
        return returned;
    }

    int waiting() {
        return waiting.size();
    }
}
