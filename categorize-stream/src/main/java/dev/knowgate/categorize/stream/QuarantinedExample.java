package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A training example in the quarantine store: judged Unknown and routed away. Kept so that curators
 * review it as a queue (docs/curators.md, "The quarantine queue") and a promoted version can judge it
 * again ("The quarantine heals"). Nothing leaves the store but by its retention: a decided or healed
 * example stays, with its state and decisions.
 *
 * @param example         the example as it arrived
 * @param sourceOffset    the offset of the record that brought it (its pending key when rechecked)
 * @param timestamp       that record's timestamp
 * @param modelKey        the version (name@version) that quarantined it last
 * @param quarantinedAtMs when, wall clock: the store's retention counts from it
 * @param recheckedFor    the live version it was sent to be judged again by, or null
 * @param verdict         the verdict that quarantined it (with the model's own answer)
 * @param state           where it stands in the queue; null (an entry from before the queue) is open
 * @param decisions       the decisions applied to it, oldest first
 */
public record QuarantinedExample(Example example, long sourceOffset, long timestamp, String modelKey,
                                 long quarantinedAtMs, String recheckedFor, Verdict verdict,
                                 QuarantineEntry.State state, List<QuarantineDecision> decisions) {

    public QuarantinedExample {
        state = state == null ? QuarantineEntry.State.OPEN : state;
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }

    QuarantinedExample recheckedFor(String liveKey) {
        return new QuarantinedExample(example, sourceOffset, timestamp, modelKey, quarantinedAtMs, liveKey, verdict, state,
                decisions);
    }

    public boolean open() {
        return state == QuarantineEntry.State.OPEN;
    }

    /** Whether a decision with this id was applied already (a decision sent twice is one decision). */
    public boolean applied(String decisionId) {
        return decisions.stream().anyMatch(d -> d.decisionId().equals(decisionId));
    }

    QuarantinedExample decided(QuarantineDecision decision) {
        List<QuarantineDecision> all = new ArrayList<>(decisions);
        all.add(decision);
        return new QuarantinedExample(example, sourceOffset, timestamp, modelKey, quarantinedAtMs, recheckedFor, verdict,
                QuarantineEntry.State.after(decision.action()), all);
    }

    /** A later version knows it: it went to training by the normal path. */
    QuarantinedExample known() {
        return new QuarantinedExample(example, sourceOffset, timestamp, modelKey, quarantinedAtMs, recheckedFor, verdict,
                QuarantineEntry.State.KNOWN, decisions);
    }

    /** As curators see it. */
    public QuarantineEntry entry() {
        return new QuarantineEntry(example, modelKey, verdict == null ? dev.knowgate.contracts.Category.UNKNOWN : verdict.category(),
                verdict == null ? 0 : verdict.pGreedy(), verdict == null ? null : verdict.evidence(),
                Instant.ofEpochMilli(quarantinedAtMs), state, decisions);
    }
}
