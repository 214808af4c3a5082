package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.List;

/**
 * One example of the quarantine queue as curators review it (GET /v1/quarantine, knowgate-quarantine,
 * the review page): the example, the Unknown verdict that quarantined it with the model's own answer,
 * where it stands, and every decision taken about it, oldest first.
 *
 * @param example       the example as it was quarantined
 * @param model         the version (name@version) whose verdict quarantined it
 * @param category      that verdict's category (Unknown under the default routing)
 * @param pGreedy       that verdict's P_greedy
 * @param evidence      the model's own answer and a hint; null for verdicts made without it
 * @param quarantinedAt when it was quarantined
 * @param state         open (awaiting a decision), released, dropped, amended, or known (a later
 *                      version knows it: it went to training by the normal path)
 * @param decisions     the decisions applied to it, oldest first (a return reopens it)
 */
public record QuarantineEntry(
        Example example,
        String model,
        Category category,
        double pGreedy,
        Evidence evidence,
        Instant quarantinedAt,
        State state,
        List<QuarantineDecision> decisions) {

    /** Where a quarantined example stands. */
    public enum State implements WireEnum {
        OPEN("open"),
        RELEASED("released"),
        DROPPED("dropped"),
        AMENDED("amended"),
        KNOWN("known");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        @Override
        public String wireName() {
            return wireName;
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static State fromWire(String wireName) {
            return WireEnum.parse(State.class, wireName);
        }

        /** The state a decision leaves an example in. */
        public static State after(QuarantineDecision.Action action) {
            return switch (action) {
                case RELEASE -> RELEASED;
                case DROP -> DROPPED;
                case AMEND -> AMENDED;
                case RETURN -> OPEN;
            };
        }
    }

    public QuarantineEntry {
        Require.present("example", example);
        Require.token("model", model, Require.MAX_MODEL_NAME_LENGTH + 21);
        Require.present("category", category);
        Require.probability("pGreedy", pGreedy);
        Require.present("quarantinedAt", quarantinedAt);
        Require.present("state", state);
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }
}
