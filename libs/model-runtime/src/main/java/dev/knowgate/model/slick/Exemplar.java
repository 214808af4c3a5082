package dev.knowgate.model.slick;

/** A few-shot exemplar: a question and its answer, from the same relation as the question asked. */
public record Exemplar(String id, String relation, String question, String answer) {
}
