package dev.knowgate.world;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.SchemaVersions;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One fact (subject, relation, object) with its place in the world.
 *
 * @param id               stable within a world: relation name and a 4-digit index ("birthplace-0007")
 * @param relation         the relation
 * @param subject          the subject, of the relation's subject kind
 * @param object           the object (the answer), of the relation's object kind
 * @param split            fine-tuning pool, dev exemplar or probe
 * @param exposure         how many statements of it the pre-training corpus holds
 * @param questionTemplate the question template its example uses
 * @param phrasingOffset   the statement phrasing its first corpus occurrence uses (then round robin)
 */
public record Fact(String id, Relation relation, Entity subject, Entity object, Split split, int exposure,
                   int questionTemplate, int phrasingOffset) {

    /** The Example's {@code source}. */
    public static final String SOURCE = "fact-world";

    public Fact {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(split, "split");
        if (subject.kind() != relation.subjectKind() || object.kind() != relation.objectKind()) {
            throw new IllegalArgumentException(id + ": entity kinds do not fit relation " + relation.name());
        }
        if (exposure < 0) {
            throw new IllegalArgumentException(id + ": exposure must be >= 0");
        }
    }

    /** The gold answer: the object's name. */
    public String answer() {
        return object.name();
    }

    /** The question its example asks. */
    public String question() {
        return question(questionTemplate);
    }

    public String question(int template) {
        return relation.question(template, subject.name());
    }

    public String statement(int phrasing) {
        return relation.statement(phrasing, subject.name(), object.name());
    }

    /** All questions, one per template. */
    public List<String> questions() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < relation.questionTemplates().size(); i++) {
            all.add(question(i));
        }
        return all;
    }

    /** All statements, one per phrasing. */
    public List<String> statements() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < relation.statementTemplates().size(); i++) {
            all.add(statement(i));
        }
        return all;
    }

    /** The example's question and answer as a pair, e.g. for few-shot exemplars. */
    public QaFormat.QaPair qaPair() {
        return new QaFormat.QaPair(question(), answer());
    }

    /**
     * The contract Example: id derived from question and answer ({@code ExampleIds.of}),
     * relation, subject, source {@value #SOURCE}, purpose probe for probe facts and training
     * otherwise; no curator or submission time (ingest stamps those).
     */
    public Example toExample() {
        return new Example(SchemaVersions.CURRENT, null, question(), answer(), List.of(), relation.name(),
                subject.name(), SOURCE, null, null, null, split == Split.PROBE ? Purpose.PROBE : Purpose.TRAINING);
    }
}
