package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.model.CategorizedBatch;
import dev.knowgate.categorize.model.ModelRef;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What one task's batch may take of the others' waiting examples, and how results reach their tasks. */
class SharedBatchesTest {

    static final TaskId A = new TaskId(0, 0);
    static final TaskId B = new TaskId(0, 1);
    static final TaskId C = new TaskId(0, 2);
    static final List<Example> EXAMPLES = FactWorld.generate(WorldConfig.preset("standard", 42L)).finetunePool()
            .stream().limit(12).map(Fact::toExample).toList();
    static final ModelRef V1 = new ModelRef("knowgate-base", 1);
    static final ModelRef V2 = new ModelRef("knowgate-base", 2);

    @Test
    void aBatchTakesItsOwnThenBorrowsTheOthersOldestFirstInTurnUpToTheSize() {
        SharedBatches shared = new SharedBatches();
        add(shared, A, "a1", 0);
        add(shared, B, "b1", 1);
        add(shared, B, "b2", 2);
        add(shared, B, "b3", 3);
        add(shared, C, "c1", 4);
        assertThat(shared.waiting()).isEqualTo(5);

        SharedBatches.Loan loan = shared.claim(A, List.of("a1"), 4);
        assertThat(loan.own()).containsExactly("a1");
        assertThat(loan.borrowed()).extracting(SharedBatches.Borrowed::key).containsExactlyInAnyOrder("b1", "c1", "b2");
        assertThat(loan.examples()).hasSize(3);
        assertThat(shared.waiting()).as("b3 only").isEqualTo(1);

        // What another batch holds is not taken again, by its own task or by a third.
        assertThat(shared.claim(B, List.of("b1", "b3"), 4).own()).containsExactly("b3");
        assertThat(shared.computingElsewhere(B, "b1")).isTrue();
        assertThat(shared.waiting()).isZero();
    }

    @Test
    void resultsGoToTheirOwnTasksForTheVersionThatIsLiveWhenTheyAreTaken() {
        SharedBatches shared = aWaitingWithB1AndB2();
        SharedBatches.Loan loan = shared.claim(A, List.of("a1"), 3);
        shared.settle(loan, List.of(ready(V1), ready(V1)));
        assertThat(shared.hasReady(B)).isTrue();
        assertThat(shared.hasReady(A)).isFalse();
        assertThat(shared.computingElsewhere(B, "b1")).as("computed, not computing").isFalse();

        // V2 went live meanwhile: V1's results are dropped and the examples wait for a batch again.
        assertThat(shared.takeReady(B, V2.key())).isEmpty();
        assertThat(shared.waiting()).isEqualTo(2);

        SharedBatches.Loan again = shared.claim(C, List.of(), 8);
        assertThat(again.borrowed()).extracting(SharedBatches.Borrowed::key).containsExactly("b1", "b2");
        shared.settle(again, List.of(ready(V2), ready(V2)));
        assertThat(shared.takeReady(B, V2.key())).containsOnlyKeys("b1", "b2");
        assertThat(shared.waiting()).as("taken results are being routed; nobody borrows them").isZero();
        shared.remove(B, "b1");
        shared.remove(B, "b2");
        assertThat(shared.hasReady(B)).isFalse();
    }

    @Test
    void aBatchThatDidNotRunGivesItsExamplesBackAndResultsForAnExampleThatLeftAreDropped() {
        SharedBatches shared = aWaitingWithB1AndB2();
        SharedBatches.Loan loan = shared.claim(A, List.of("a1"), 3);
        shared.release(loan);
        assertThat(shared.waiting()).isEqualTo(3);

        SharedBatches.Loan second = shared.claim(A, List.of("a1"), 3);
        shared.remove(B, "b1"); // its own task routed it meanwhile (a duplicate)
        shared.forget(B);       // ... and then closed
        shared.settle(second, List.of(ready(V1), ready(V1)));
        assertThat(shared.hasReady(B)).isFalse();
        assertThat(shared.waiting()).isZero();
    }

    @Test
    void aFullBatchIsClaimedWholeOrNotAtAllSoTwoThreadsNeverSplitOneIntoTwoPartialCalls() {
        SharedBatches shared = aWaitingWithB1AndB2();
        add(shared, C, "c1", 3);
        assertThat(shared.batchWaiting(4)).isTrue();
        assertThat(shared.batchWaiting(5)).isFalse();

        // Another thread's batch takes two of the four between the look and the claim.
        SharedBatches.Loan other = shared.claim(C, List.of("c1"), 2);
        assertThat(other.borrowed()).hasSize(1);
        assertThat(shared.batchWaiting(4)).isFalse();
        SharedBatches.Loan partial = shared.claimFull(A, List.of("a1"), 4);
        assertThat(partial.own()).isEmpty();
        assertThat(partial.borrowed()).isEmpty();
        assertThat(shared.waiting()).as("nothing taken by the claim that could not fill").isEqualTo(2);

        shared.release(other);
        SharedBatches.Loan full = shared.claimFull(A, List.of("a1"), 4);
        assertThat(full.own()).containsExactly("a1");
        assertThat(full.borrowed()).extracting(SharedBatches.Borrowed::key).containsExactlyInAnyOrder("b1", "b2", "c1");
        assertThat(shared.waiting()).isZero();
    }

    /** Task A's a1, task B's b1 and b2, all waiting. */
    private static SharedBatches aWaitingWithB1AndB2() {
        SharedBatches shared = new SharedBatches();
        add(shared, A, "a1", 0);
        add(shared, B, "b1", 1);
        add(shared, B, "b2", 2);
        return shared;
    }

    private static void add(SharedBatches shared, TaskId task, String key, int example) {
        shared.add(task, key, EXAMPLES.get(example));
    }

    private static SharedBatches.Ready ready(ModelRef version) {
        return new SharedBatches.Ready(new CategorizedBatch(version, SlickMethod.EXACT, SlickConfig.paper(), List.of(), 1),
                0, 1);
    }
}
