package dev.knowgate.monitor.gate;

import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.GateEvidence;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.monitor.rates.Announced;
import dev.knowgate.monitor.rates.VersionRates;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a version goes live. A base is promoted as it is announced (it is what the others
 * are compared with); with the gate off, so is every version. A candidate is decided once its whole
 * probe evaluation is in, every probe answered under the candidate itself: promoted when it forgets
 * at most {@code maxForgetting} of the probes the base answers and its accuracy is at least the
 * base's less {@code maxAccuracyDrop}; otherwise rejected. A candidate whose evaluation stalls is
 * rejected after the timeout. Pure: the stream calls it and publishes what it returns.
 */
public final class PromotionGate {

    private final GateSettings settings;

    public PromotionGate(GateSettings settings) {
        this.settings = settings;
    }

    public GateSettings settings() {
        return settings;
    }

    /** On an announcement: the base, or any version with the gate off, is promoted at once. */
    public Optional<ModelDecision> onAnnounced(String model, Announced a, Instant now) {
        if (a.isBase()) {
            return Optional.of(decision(model, a, DecisionStatus.PROMOTED, "the lineage's base: the baseline every "
                    + "candidate is compared with", null, now));
        }
        if (!settings.enabled()) {
            return Optional.of(decision(model, a, DecisionStatus.PROMOTED, "gate off (knowgate.monitor.gate.enabled="
                    + "false): promoted as announced, before its probe evaluation", null, now));
        }
        return Optional.empty();
    }

    /** On results: the decision, once the candidate's and the base's evaluations are complete. */
    public Optional<ModelDecision> onResults(String model, Announced a, VersionRates candidate, VersionRates base,
                                             Instant now) {
        if (!settings.enabled() || a.isBase() || !candidate.complete() || !base.complete()) {
            return Optional.empty();
        }
        GateEvidence e = evidence(candidate, base);
        boolean forgetsTooMuch = e.forgettingRate() > settings.maxForgetting();
        boolean tooInaccurate = e.accuracy() < e.minAccuracy();
        String forgetting = String.format(Locale.ROOT, "forgets %.1f%% (%d of %d) of the probes %s answers, %s the "
                        + "gate's %.1f%%", 100 * e.forgettingRate(), e.forgotten(), e.knownAtBaseline(), base.key(),
                forgetsTooMuch ? "above" : "within", 100 * settings.maxForgetting());
        String accuracy = String.format(Locale.ROOT, "accuracy %.3f, %s the floor %.3f (base %.3f less %.3f)",
                e.accuracy(), tooInaccurate ? "below" : "at or above", e.minAccuracy(), e.baselineAccuracy(),
                settings.maxAccuracyDrop());
        boolean promote = !forgetsTooMuch && !tooInaccurate;
        return Optional.of(decision(model, a, promote ? DecisionStatus.PROMOTED : DecisionStatus.REJECTED,
                forgetting + "; " + accuracy, e, now));
    }

    /** A candidate whose evaluation made no progress within the timeout: rejected, with what is known. */
    public ModelDecision timedOut(String model, Announced a, VersionRates candidate, VersionRates base, Instant now) {
        String why = String.format(Locale.ROOT, "evaluation incomplete: %d of %d probes answered under %s, no progress "
                + "for %s", candidate.probes(), candidate.probesTotal(), candidate.key(), settings.evaluationTimeout());
        if (!base.complete()) {
            why += String.format(Locale.ROOT, " (the base %s has %d of %d)", base.key(), base.probes(), base.probesTotal());
        }
        return decision(model, a, DecisionStatus.REJECTED, why, base.complete() ? evidence(candidate, base) : null, now);
    }

    /** The numbers behind a decision, by hand or by the gate. */
    public GateEvidence evidence(VersionRates candidate, VersionRates base) {
        double minAccuracy = Math.max(0, base.accuracy() - settings.maxAccuracyDrop());
        return new GateEvidence(candidate.evaluationId() == null ? "none" : candidate.evaluationId(), base.version(), candidate.probesTotal(), candidate.probes(),
                candidate.knownAtBaseline(), candidate.forgotten(), candidate.forgettingRate(), settings.maxForgetting(),
                candidate.accuracy(), base.accuracy(), minAccuracy);
    }

    private static ModelDecision decision(String model, Announced a, DecisionStatus status, String reason,
                                          GateEvidence evidence, Instant now) {
        return new ModelDecision(model, a.version(), a.parent(), status, ModelDecision.BY_MONITOR, reason, evidence, now);
    }
}
