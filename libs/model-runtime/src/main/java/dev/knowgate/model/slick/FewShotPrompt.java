package dev.knowgate.model.slick;

import java.util.List;

/**
 * SliCK's prompt text: S exemplars, each as the template with its question followed by its answer
 * and the terminator, then the template with the question asked. Both {@link ExactSlick} and
 * {@link SampledSlick} build their prompts with it, so both modes see the same prompts.
 */
public record FewShotPrompt(String template, String terminator) {

    public static final String QUESTION = "{question}";

    public FewShotPrompt {
        if (!template.contains(QUESTION)) {
            throw new IllegalArgumentException("the prompt template must contain " + QUESTION + ": " + template);
        }
    }

    public String text(List<Exemplar> exemplars, String question) {
        return exemplarText(exemplars) + template.replace(QUESTION, question);
    }

    /**
     * The text before the question: every exemplar with its answer and terminator. A terminator that
     * is a token of its own ({@code <eoa>}, {@code </s>}) stands between spaces; one that is
     * whitespace (a newline) follows the answer directly and is the only separator, as a model
     * trained on {@code A: Paris\nQ: ...} saw it.
     */
    public String exemplarText(List<Exemplar> exemplars) {
        boolean whitespace = terminator.isBlank();
        StringBuilder text = new StringBuilder();
        for (Exemplar e : exemplars) {
            text.append(template.replace(QUESTION, e.question())).append(' ').append(e.answer());
            text.append(whitespace ? terminator : " " + terminator + " ");
        }
        return text.toString();
    }
}
