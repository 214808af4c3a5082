package dev.knowgate.ingest.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A push's batch planning and its ledger, without a service: what PusherTest drives through HTTP. */
class PushBatchTest {

    private static PushBatch.Entry example(long line, String json) {
        return new PushBatch.Entry(line, line, "ex-" + line, json.getBytes(StandardCharsets.UTF_8), null);
    }

    private static PushBatch.Entry rejected(long line, boolean duplicate) {
        return new PushBatch.Entry(line, line, null, null,
                new Rejection(line, "answer", duplicate ? Rejection.DUPLICATE : "missing", "no answer", false));
    }

    @Test
    void aBatchIsFullAtItsLimitOrAtTheBodyLimitAndHalvesKeepLinesInOrder() {
        PushBatch b = new PushBatch();
        b.add(example(1, "{\"a\":1}"));
        b.add(rejected(2, false));
        b.add(example(3, "{\"a\":3}"));
        b.add(example(4, "{\"a\":4}"));
        b.add(example(5, "{\"a\":5}"));

        assertThat(b.sendable).isEqualTo(4);
        assertThat(b.bytes).isEqualTo(4 * 8);
        assertThat(b.full(example(6, "{}"), 4, 1_000)).as("at the example limit").isTrue();
        assertThat(b.full(example(6, "{}"), 5, 34)).as("over the body limit").isTrue();
        assertThat(b.full(example(6, "{}"), 5, 35)).isFalse();
        assertThat(b.full(rejected(6, false), 1, 1)).as("a judged line never starts a new batch").isFalse();

        PushBatch[] halves = b.halves();
        assertThat(halves[0].entries).extracting(e -> e.startLine).containsExactly(1L, 2L, 3L);
        assertThat(halves[1].entries).extracting(e -> e.startLine).containsExactly(4L, 5L);
        assertThat(halves[0].sendable + halves[1].sendable).isEqualTo(4);
        assertThat(halves[1].firstLine()).isEqualTo(4);
        assertThat(halves[1].lastLine()).isEqualTo(5);
    }

    @Test
    void theLedgerCountsEveryLineOfACommittedBatchAndMovesTheProgress() {
        PushBatch b = new PushBatch();
        b.add(example(1, "{}"));
        b.add(rejected(2, false));
        b.add(rejected(3, true));
        b.add(example(4, "{}"));
        PushLedger ledger = new PushLedger();
        ledger.requestMade();
        ledger.requestMade();
        ledger.retried();

        List<Rejection> refused = ledger.commit(b, true);

        assertThat(refused).extracting(Rejection::line).containsExactly(2L, 3L);
        PushCounts c = ledger.counts();
        assertThat(c.linesRead()).isEqualTo(4);
        assertThat(c.accepted()).isEqualTo(2);
        assertThat(c.rejected()).isEqualTo(1);
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.batches()).isEqualTo(1);
        assertThat(c.requests()).isEqualTo(2);
        assertThat(c.retries()).isEqualTo(1);
        assertThat(c.rejectedByReason()).containsExactly(java.util.Map.entry("missing", 1L));
        assertThat(ledger.linesHandled()).isEqualTo(4);
        assertThat(ledger.acceptedThisRun()).isEqualTo(2);
        assertThat(ledger.kept()).hasSize(2);
    }
}
