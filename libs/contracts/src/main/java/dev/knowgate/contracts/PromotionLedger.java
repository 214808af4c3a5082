package dev.knowgate.contracts;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What models.decisions says, applied in topic order: the decision in force for each version and
 * the live version of each lineage. One reading shared by every service, so categorize-stream, the
 * trainer and the monitor never disagree on what is live.
 * <ul>
 *   <li>The decision in force for a version is the latest one made by an operator, else the latest
 *       one made by the monitor: an operator's word is never overridden by the gate, even when the
 *       gate's decision reaches the topic later.</li>
 *   <li>A lineage's live version is the promoted version (by the decision in force) whose decision
 *       came last. Rejecting the live version by hand therefore falls back to the previous promoted
 *       one; promoting an older version by hand rolls back to it.</li>
 * </ul>
 * Not thread-safe: one reader applies records, in order.
 */
public final class PromotionLedger {

    private record InForce(ModelDecision decision, long sequence) {
    }

    private record Entry(InForce monitor, InForce operator) {
        InForce inForce() {
            return operator != null ? operator : monitor;
        }
    }

    private final Map<String, Entry> byVersion = new HashMap<>();
    private long sequence;

    /** Applies the next record of the topic. */
    public void apply(ModelDecision d) {
        long seq = ++sequence;
        Entry e = byVersion.getOrDefault(d.key(), new Entry(null, null));
        byVersion.put(d.key(), d.byOperator() ? new Entry(e.monitor(), new InForce(d, seq))
                : new Entry(new InForce(d, seq), e.operator()));
    }

    /** The decision in force for {@code name@version}, if any. */
    public Optional<ModelDecision> decision(String model, long version) {
        return Optional.ofNullable(byVersion.get(ModelVersion.keyOf(model, version))).map(e -> e.inForce().decision());
    }

    /** The live version of a lineage: empty until one of its versions is promoted. */
    public Optional<ModelDecision> live(String model) {
        return promoted().filter(f -> f.decision().model().equals(model)).max(Comparator.comparingLong(InForce::sequence))
                .map(InForce::decision);
    }

    /** The most recently promoted version of any lineage (what a single-model service serves). */
    public Optional<ModelDecision> live() {
        return promoted().max(Comparator.comparingLong(InForce::sequence)).map(InForce::decision);
    }

    /** Every decision in force, in the order they came. */
    public List<ModelDecision> decisions() {
        return byVersion.values().stream().map(Entry::inForce).sorted(Comparator.comparingLong(InForce::sequence))
                .map(InForce::decision).toList();
    }

    private java.util.stream.Stream<InForce> promoted() {
        return byVersion.values().stream().map(Entry::inForce).filter(f -> f.decision().promoted());
    }
}
