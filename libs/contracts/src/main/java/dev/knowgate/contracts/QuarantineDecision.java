package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.List;

/**
 * A decision about one quarantined example: the value on quarantine.decisions, keyed by example id.
 * Curators release, drop or amend; the trainer returns a released example whose round the gate
 * rejected. categorize-stream applies each decision once (by {@link #decisionId}) to the queue's
 * state; the topic keeps every decision for ever, so the queue is rebuilt from it after a crash.
 *
 * @param decisionId   names the decision: the same id sent twice is one decision
 * @param exampleId    the quarantined example
 * @param action       release, drop, amend or return
 * @param decidedBy    the curator's key name; "trainer" for a return
 * @param reason       why, in the decider's words (for a return: the rejection's evidence)
 * @param verdictModel the version (name@version) whose Unknown verdict this decision answers
 * @param answer       amend: the corrected gold answer (null keeps the old one)
 * @param aliases      amend: aliases added to the old ones
 * @param amendedId    amend: the id of the new example it resubmits (a content hash, as any example's)
 * @param decidedAt    when it was decided
 */
public record QuarantineDecision(
        String decisionId,
        String exampleId,
        Action action,
        String decidedBy,
        String reason,
        String verdictModel,
        String answer,
        List<String> aliases,
        String amendedId,
        Instant decidedAt) {

    public static final int MAX_REASON_LENGTH = 2_000;
    /** Who returns released examples whose round was rejected. */
    public static final String TRAINER = "trainer";

    /** What is done with a quarantined example. */
    public enum Action implements WireEnum {
        /** to training, as deliberate new knowledge, within the trainer's budget */
        RELEASE("release"),
        /** left out for good; the example and its verdicts stay on the audit topics */
        DROP("drop"),
        /** resubmitted as a new example with a corrected answer or added aliases */
        AMEND("amend"),
        /** back to the queue: the round that trained it was rejected (the trainer's) */
        RETURN("return");

        private final String wireName;

        Action(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        @Override
        public String wireName() {
            return wireName;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Action fromWire(String wireName) {
            return WireEnum.parse(Action.class, wireName);
        }
    }

    public QuarantineDecision {
        Require.exampleId("decisionId", decisionId, Example.MAX_ID_LENGTH);
        Require.exampleId("exampleId", exampleId, Example.MAX_ID_LENGTH);
        Require.present("action", action);
        Require.line("decidedBy", decidedBy, Example.MAX_LABEL_LENGTH);
        reason = Require.text("reason", reason, MAX_REASON_LENGTH);
        Require.token("verdictModel", verdictModel, Require.MAX_MODEL_NAME_LENGTH + 21);
        answer = Require.optionalLine("answer", answer, Example.MAX_ANSWER_LENGTH);
        aliases = Require.list("aliases", aliases, Example.MAX_ALIASES,
                (path, alias) -> Require.line(path, alias, Example.MAX_ANSWER_LENGTH));
        boolean amend = action == Action.AMEND;
        if (amend && answer == null && aliases.isEmpty()) {
            throw ContractViolation.invalid("answer", "an amendment names a corrected answer or aliases to add");
        }
        if (!amend && (answer != null || !aliases.isEmpty())) {
            throw ContractViolation.invalid(answer != null ? "answer" : "aliases", "is set on a decision that is not 'amend'");
        }
        if (amend) {
            Require.exampleId("amendedId", amendedId, Example.MAX_ID_LENGTH);
        } else if (amendedId != null) {
            throw ContractViolation.invalid("amendedId", "is set on a decision that is not 'amend'");
        }
        Require.present("decidedAt", decidedAt);
    }

    /**
     * The example an amendment resubmits: the old one with the corrected answer and the added
     * aliases (a corrected answer drops the old aliases, which were the wrong answer's), a new id (the
     * hash of its new content), and its curator and submission kept.
     */
    public static Example amended(Example old, String answer, List<String> addedAliases) {
        String gold = answer == null ? old.answer() : answer;
        java.util.LinkedHashSet<String> aliases = new java.util.LinkedHashSet<>(gold.equals(old.answer()) ? old.aliases() : List.of());
        aliases.addAll(addedAliases == null ? List.of() : addedAliases);
        aliases.remove(gold);
        String id = ExampleIds.of(old.question(), gold);
        if (id.equals(old.id())) {
            // Only aliases change: the content hash would be the old id, which has its verdict already.
            id = ExampleIds.of(old.question(), gold + "\u0000" + String.join("\u0000", aliases));
        }
        return new Example(old.schemaVersion(), id, old.question(), gold, List.copyOf(aliases), old.relation(),
                old.subject(), old.source(), old.curator(), old.submission(), old.submittedAt(), old.purpose());
    }
}
