package dev.knowgate.contracts;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.time.Instant;
import java.util.List;

/**
 * A supervised fine-tuning example (a closed-book question and its gold answer), as curators
 * submit it and as it travels through the pipeline. The value on examples.submitted and
 * inside every downstream record.
 *
 * @param schemaVersion {@link SchemaVersions#CURRENT}; absent in JSON means current
 * @param id            the Kafka key; when absent or blank, {@link ExampleIds#of} of the content
 * @param question      the question, one line
 * @param answer        the gold answer, one line
 * @param aliases       other answers that count as correct (exact match after normalisation)
 * @param relation      the EntityQuestions-style relation ("birthplace"); picks the exemplar pool
 * @param subject       the entity the question is about ("Lorin Vask")
 * @param source        where the example came from (a batch, a data set, a tool)
 * @param curator       who submitted it; ingest stamps it from the caller's identity
 * @param submission    the submission it belongs to (an id the client names or ingest gives);
 *                      ingest stamps it, and what became of a submission is counted by it
 * @param submittedAt   when ingest accepted it; ingest stamps it
 * @param purpose       training (default) or probe
 */
public record Example(
        @JsonDeserialize(using = SchemaVersionDeserializer.class) int schemaVersion,
        String id,
        String question,
        String answer,
        List<String> aliases,
        String relation,
        String subject,
        String source,
        String curator,
        String submission,
        Instant submittedAt,
        Purpose purpose) {

    public static final int MAX_ID_LENGTH = 128;
    public static final int MAX_QUESTION_LENGTH = 2_000;
    public static final int MAX_ANSWER_LENGTH = 500;
    public static final int MAX_ALIASES = 64;
    /** For relation, subject, source and curator. */
    public static final int MAX_LABEL_LENGTH = 256;

    public Example {
        SchemaVersions.require(schemaVersion);
        // Check a given id before the content so a bad id is reported as such, not replaced.
        // Blank (whitespace) means "derive it", as absent does; anything else must be a strict id.
        String givenId = id == null || id.isBlank() ? null : Require.exampleId("id", id, MAX_ID_LENGTH);
        Require.line("question", question, MAX_QUESTION_LENGTH);
        Require.line("answer", answer, MAX_ANSWER_LENGTH);
        aliases = Require.list("aliases", aliases, MAX_ALIASES, (path, alias) -> Require.line(path, alias, MAX_ANSWER_LENGTH));
        relation = Require.optionalLine("relation", relation, MAX_LABEL_LENGTH);
        subject = Require.optionalLine("subject", subject, MAX_LABEL_LENGTH);
        source = Require.optionalLine("source", source, MAX_LABEL_LENGTH);
        curator = Require.optionalLine("curator", curator, MAX_LABEL_LENGTH);
        submission = submission == null || submission.isBlank() ? null : submissionId(submission);
        purpose = purpose == null ? Purpose.TRAINING : purpose;
        id = givenId != null ? givenId : ExampleIds.of(question, answer);
    }

    /**
     * A submission id as the contract takes it (an id, as example ids are: it becomes part of a key
     * and a URL segment), for the places that take one from outside a record.
     *
     * @throws ContractViolation naming the field {@code submission} when it is not one
     */
    public static String submissionId(String value) {
        return Require.exampleId("submission", value, MAX_ID_LENGTH);
    }

    /** An example id as the contract takes it, for the places that take one from outside a record (a URL path). */
    public static String exampleId(String value) {
        return Require.exampleId("id", value, MAX_ID_LENGTH);
    }

    /** A training example with only the required content; the id is derived from it. */
    public static Example of(String question, String answer) {
        return new Example(SchemaVersions.CURRENT, null, question, answer, List.of(),
                null, null, null, null, null, null, Purpose.TRAINING);
    }

    public Example withCurator(String curator) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }

    public Example withSubmission(String submission) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }

    public Example withSubmittedAt(Instant submittedAt) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }

    public Example withSource(String source) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }

    public Example withAliases(List<String> aliases) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }

    /** The fact this example states, which decides the exemplar pool for its SliCK prompts. */
    public Example withFact(String relation, String subject) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }

    public Example withPurpose(Purpose purpose) {
        return new Example(schemaVersion, id, question, answer, aliases, relation, subject, source, curator, submission, submittedAt, purpose);
    }
}
