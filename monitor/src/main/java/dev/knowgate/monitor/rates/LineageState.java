package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.PromotionLedger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Everything the monitor keeps about one model lineage (registry name), its state-store value:
 * the versions announced, their probe results (versions ascending), and the decisions about them
 * in the order they were made. All rates, statuses and gate decisions are computed from it.
 */
public record LineageState(String model, List<VersionProbes> versions, List<Announced> announced,
                           List<ModelDecision> decisions) {

    /** Versions kept per lineage; the oldest beyond it are dropped (the baseline always stays). */
    public static final int MAX_VERSIONS = 200;
    /** Decisions kept per lineage (a few per version: the gate's and operators'). */
    public static final int MAX_DECISIONS = 1_000;

    public LineageState {
        versions = List.copyOf(versions);
        announced = announced == null ? List.of() : List.copyOf(announced);
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }

    public static LineageState empty(String model) {
        return new LineageState(model, List.of(), List.of(), List.of());
    }

    public Optional<VersionProbes> version(long version) {
        return versions.stream().filter(v -> v.version() == version).findFirst();
    }

    public Optional<Announced> announcement(long version) {
        return announced.stream().filter(a -> a.version() == version).findFirst();
    }

    /** The decisions applied in order: what is in force, and what is live. */
    public PromotionLedger ledger() {
        PromotionLedger ledger = new PromotionLedger();
        decisions.forEach(ledger::apply);
        return ledger;
    }

    public LineageState with(ProbeResult r, long baselineVersion) {
        List<VersionProbes> next = new ArrayList<>(versions);
        int i = 0;
        while (i < next.size() && next.get(i).version() != r.modelVersion()) {
            i++;
        }
        if (i == next.size()) {
            next.add(VersionProbes.empty(r.modelVersion()).with(r));
            next.sort(Comparator.comparingLong(VersionProbes::version));
        } else {
            next.set(i, next.get(i).with(r));
        }
        while (next.size() > MAX_VERSIONS) {
            next.remove(next.get(0).version() == baselineVersion ? 1 : 0);
        }
        return new LineageState(model, next, announced, decisions);
    }

    /** The lineage with {@code a} recorded; unchanged when the version was announced before. */
    public LineageState with(Announced a) {
        if (announcement(a.version()).isPresent()) {
            return this;
        }
        List<Announced> next = new ArrayList<>(announced);
        next.add(a);
        next.sort(Comparator.comparingLong(Announced::version));
        while (next.size() > MAX_VERSIONS) {
            next.remove(next.get(0).isBase() ? 1 : 0);
        }
        return new LineageState(model, versions, next, decisions);
    }

    /** The lineage with {@code d} recorded; unchanged when it already holds an equal decision (the echo of its own). */
    public LineageState with(ModelDecision d) {
        if (decisions.stream().anyMatch(d::equals)) {
            return this; // the echo of a decision this lineage already holds
        }
        List<ModelDecision> next = new ArrayList<>(decisions);
        next.add(d);
        while (next.size() > MAX_DECISIONS) {
            next.remove(0);
        }
        return new LineageState(model, versions, announced, next);
    }
}
