package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;
import dev.knowgate.trainer.backend.RoundExample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rounds simulation's released examples: FIFO within the trainer's budget, the rest waiting, returns at the back. */
class ReleasedQueueTest {

    @Test
    void aRoundAdmitsTheOldestWithinTheBudgetAndTheRestWait() {
        ReleasedQueue q = new ReleasedQueue(0.1);
        for (int i = 0; i < 30; i++) {
            q.release(released("r" + i));
        }
        // 10% of the whole round: 180 others admit 20 (20 / 200), 200 others 22 (22 / 222, rounded down).
        List<RoundExample> first = q.admit(180);
        assertThat(first).extracting(RoundExample::id).containsExactly(ids(0, 20));
        assertThat(q.waiting()).isEqualTo(10);
        assertThat(q.admit(200)).extracting(RoundExample::id).containsExactly(ids(20, 30));
        assertThat(q.waiting()).isZero();
        assertThat(q.admit(200)).isEmpty();
        assertThat(q.released()).isEqualTo(30);
    }

    @Test
    void aSmallRoundAdmitsFewAndABudgetOfZeroNone() {
        ReleasedQueue q = new ReleasedQueue(0.3);
        q.release(released("a"));
        q.release(released("b"));
        assertThat(q.admit(2)).isEmpty(); // 0.3 / 0.7 * 2 = 0.86: rounded down
        assertThat(q.admit(3)).extracting(RoundExample::id).containsExactly("a");
        ReleasedQueue none = new ReleasedQueue(0);
        none.release(released("c"));
        assertThat(none.admit(1000)).isEmpty();
        assertThat(none.waiting()).isEqualTo(1);
    }

    @Test
    void aRejectedRoundsExamplesComeBackBehindTheWaitingOnes() {
        ReleasedQueue q = new ReleasedQueue(0.5);
        for (int i = 0; i < 4; i++) {
            q.release(released("r" + i));
        }
        List<RoundExample> rejected = q.admit(2);
        assertThat(rejected).extracting(RoundExample::id).containsExactly("r0", "r1");
        q.returned(rejected);
        assertThat(q.returnedCount()).isEqualTo(2);
        assertThat(q.released()).as("a return is not a new release").isEqualTo(4);
        assertThat(q.admit(4)).extracting(RoundExample::id).containsExactly("r2", "r3", "r0", "r1");
    }

    @Test
    void onlyFreshReleasedExamplesAreQueued() {
        ReleasedQueue q = new ReleasedQueue(0.1);
        assertThatThrownBy(() -> q.release(new RoundExample("x", "q", "a", "rel", Category.UNKNOWN, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.release(released("y").asReplay())).isInstanceOf(IllegalArgumentException.class);
    }

    private static RoundExample released(String id) {
        return new RoundExample(id, "q " + id, "a " + id, "rel", Category.UNKNOWN, false, true);
    }

    private static String[] ids(int from, int to) {
        String[] out = new String[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = "r" + i;
        }
        return out;
    }
}
