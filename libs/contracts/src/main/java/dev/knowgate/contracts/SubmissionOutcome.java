package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;

/**
 * What became of one example of a submission, as categorize-stream saw it: received, categorized
 * (with the verdict's category, probabilities, model version and route) or rejected (with the
 * reason). The value on submissions.outcomes, keyed by {@link #key(String, String)}, which
 * categorize-stream aggregates into each submission's {@link SubmissionStatus}; the latest outcome
 * of each example is also the line {@code knowgate-push --report} writes.
 *
 * @param submission the submission's id (as on the example)
 * @param curator    whose submission it is (as ingest stamped it)
 * @param exampleId  the example
 * @param question   its question, so that a review needs nothing else
 * @param answer     its gold answer
 * @param state      received, categorized or rejected
 * @param category   the SliCK category, when categorized
 * @param pGreedy    as in {@link Verdict#pGreedy()}, when categorized
 * @param pSampled   as in {@link Verdict#pSampled()}, when categorized
 * @param model      the version that judged it (name@version), when categorized
 * @param route      where it was sent, when categorized
 * @param evidence   the model's own answer and a hint, when categorized Unknown (as on the verdict)
 * @param reason     the rejection reason code, when rejected
 * @param detail     the rejection's explanation, when rejected
 * @param at         when categorize-stream received, categorized or rejected it
 */
public record SubmissionOutcome(
        String submission,
        String curator,
        String exampleId,
        String question,
        String answer,
        State state,
        Category category,
        Double pGreedy,
        Double pSampled,
        String model,
        Route route,
        Evidence evidence,
        String reason,
        String detail,
        Instant at) {

    public static final int MAX_DETAIL_LENGTH = RejectedRecord.MAX_MESSAGE_LENGTH;

    /** How far an example of a submission got. */
    public enum State implements WireEnum {
        RECEIVED("received"),
        CATEGORIZED("categorized"),
        REJECTED("rejected");

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
    }

    public SubmissionOutcome {
        Require.exampleId("submission", submission, Example.MAX_ID_LENGTH);
        Require.line("curator", curator, Example.MAX_LABEL_LENGTH);
        Require.exampleId("exampleId", exampleId, Example.MAX_ID_LENGTH);
        Require.line("question", question, Example.MAX_QUESTION_LENGTH);
        Require.line("answer", answer, Example.MAX_ANSWER_LENGTH);
        Require.present("state", state);
        boolean categorized = state == State.CATEGORIZED;
        requireIf(categorized, "category", category);
        requireIf(categorized, "pGreedy", pGreedy);
        requireIf(categorized, "pSampled", pSampled);
        requireIf(categorized, "model", model);
        requireIf(categorized, "route", route);
        requireIf(state == State.REJECTED, "reason", reason);
        if (evidence != null && !categorized) {
            throw ContractViolation.invalid("evidence", "is set on an outcome that is not 'categorized'");
        }
        if (pGreedy != null) {
            Require.probability("pGreedy", pGreedy);
        }
        if (pSampled != null) {
            Require.probability("pSampled", pSampled);
        }
        if (model != null) {
            Require.token("model", model, Require.MAX_MODEL_NAME_LENGTH + 21);
        }
        if (reason != null) {
            Require.token("reason", reason, 64);
        }
        detail = detail == null ? null : Require.text("detail", detail, MAX_DETAIL_LENGTH);
        Require.present("at", at);
    }

    public static SubmissionOutcome received(Example example, Instant at) {
        return new SubmissionOutcome(example.submission(), example.curator(), example.id(), example.question(), example.answer(), State.RECEIVED,
                null, null, null, null, null, null, null, null, at);
    }

    public static SubmissionOutcome categorized(Example example, Verdict verdict, Route route) {
        return new SubmissionOutcome(example.submission(), example.curator(), example.id(), example.question(), example.answer(), State.CATEGORIZED,
                verdict.category(), verdict.pGreedy(), verdict.pSampled(),
                ModelVersion.keyOf(verdict.model(), verdict.modelVersion()), route, verdict.evidence(), null, null,
                verdict.computedAt());
    }

    public static SubmissionOutcome rejected(Example example, String reason, String detail, Instant at) {
        String shortened = detail != null && detail.length() > MAX_DETAIL_LENGTH ? detail.substring(0, MAX_DETAIL_LENGTH) : detail;
        return new SubmissionOutcome(example.submission(), example.curator(), example.id(), example.question(), example.answer(), State.REJECTED,
                null, null, null, null, null, null, reason, shortened, at);
    }

    /** Whether an example's outcomes are counted under a submission at all: ingest stamps both. */
    public static boolean counted(Example example) {
        return example.submission() != null && example.curator() != null && example.purpose() == Purpose.TRAINING;
    }

    /**
     * The Kafka key of a submission: its curator and id, so that two curators who name their
     * submissions alike never share one. The id has no '/', so the key splits at its last one.
     */
    public static String key(String curator, String submission) {
        return curator + "/" + submission;
    }

    public String key() {
        return key(curator, submission);
    }

    private static void requireIf(boolean required, String field, Object value) {
        if (required) {
            Require.present(field, value);
        } else if (value != null) {
            throw ContractViolation.invalid(field, "is set on an outcome that is not the state it belongs to");
        }
    }
}
