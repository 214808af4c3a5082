package dev.knowgate.contracts;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** How every service reads models.decisions: the decision in force per version, and what is live. */
class PromotionLedgerTest {

    private static final Instant AT = Instant.parse("2026-05-04T09:30:00Z");

    private static ModelDecision monitor(long version, DecisionStatus status) {
        return new ModelDecision("m", version, version == 1 ? null : version - 1, status, ModelDecision.BY_MONITOR,
                "gate", null, AT);
    }

    private static ModelDecision operator(long version, DecisionStatus status) {
        return new ModelDecision("m", version, version == 1 ? null : version - 1, status, "operator:oncall", "by hand",
                null, AT);
    }

    @Test
    void nothingIsLiveUntilAVersionIsPromoted() {
        PromotionLedger ledger = new PromotionLedger();
        assertThat(ledger.live("m")).isEmpty();
        ledger.apply(monitor(2, DecisionStatus.REJECTED));
        assertThat(ledger.live("m")).isEmpty();
        assertThat(ledger.live()).isEmpty();
    }

    @Test
    void theLastPromotedVersionIsLiveAndARejectedCandidateNeverIs() {
        PromotionLedger ledger = new PromotionLedger();
        ledger.apply(monitor(1, DecisionStatus.PROMOTED));
        ledger.apply(monitor(2, DecisionStatus.PROMOTED));
        ledger.apply(monitor(3, DecisionStatus.REJECTED));

        assertThat(ledger.live("m")).map(ModelDecision::modelVersion).contains(2L);
        assertThat(ledger.decision("m", 3)).map(ModelDecision::status).contains(DecisionStatus.REJECTED);
        assertThat(ledger.decision("m", 4)).isEmpty();
        assertThat(ledger.live("other")).isEmpty();
    }

    @Test
    void anOperatorsDecisionWinsOverTheGatesWhicheverCameLater() {
        PromotionLedger ledger = new PromotionLedger();
        ledger.apply(monitor(1, DecisionStatus.PROMOTED));
        ledger.apply(operator(2, DecisionStatus.PROMOTED));
        ledger.apply(monitor(2, DecisionStatus.REJECTED)); // the gate finished after the operator had decided

        assertThat(ledger.live("m")).map(ModelDecision::modelVersion).contains(2L);
        assertThat(ledger.decision("m", 2)).map(ModelDecision::decidedBy).contains("operator:oncall");
    }

    @Test
    void rejectingTheLiveVersionByHandFallsBackAndPromotingAnOldOneRollsBack() {
        PromotionLedger ledger = new PromotionLedger();
        ledger.apply(monitor(1, DecisionStatus.PROMOTED));
        ledger.apply(monitor(2, DecisionStatus.PROMOTED));
        ledger.apply(monitor(3, DecisionStatus.PROMOTED));

        ledger.apply(operator(3, DecisionStatus.REJECTED));
        assertThat(ledger.live("m")).map(ModelDecision::modelVersion).contains(2L);

        ledger.apply(operator(1, DecisionStatus.PROMOTED));
        assertThat(ledger.live("m")).map(ModelDecision::modelVersion).contains(1L);
        assertThat(ledger.decisions()).extracting(ModelDecision::modelVersion).containsExactly(2L, 3L, 1L);
    }
}
