package dev.knowgate.world;

import java.util.List;
import java.util.Objects;

/**
 * The one question-answer text format of the world's model, shared by pre-training, SliCK prompts
 * and fine-tuning. Words are separated by single spaces (the tokenizer splits on whitespace):
 * <ul>
 *   <li>question-answer text: {@code Q: {question} A: {answer} <eoa>}</li>
 *   <li>prompt: {@code Q: {question} A:}; the model continues with the answer words and
 *       {@value #ANSWER_TERMINATOR}</li>
 *   <li>few-shot prompt: the exemplars' question-answer texts, then the prompt, joined by spaces</li>
 * </ul>
 */
public final class QaFormat {

    public static final String QUESTION_MARKER = "Q:";
    public static final String ANSWER_MARKER = "A:";
    /** Ends every answer; a special token of the tokenizer. */
    public static final String ANSWER_TERMINATOR = "<eoa>";
    /** For a model manifest's promptTemplate. */
    public static final String PROMPT_TEMPLATE = "Q: {question} A:";
    public static final String QUESTION_PLACEHOLDER = "{question}";

    private QaFormat() {
    }

    /** {@code Q: question A:} */
    public static String prompt(String question) {
        return QUESTION_MARKER + " " + Objects.requireNonNull(question, "question") + " " + ANSWER_MARKER;
    }

    /** {@code Q: question A: answer <eoa>} */
    public static String qa(String question, String answer) {
        return prompt(question) + " " + Objects.requireNonNull(answer, "answer") + " " + ANSWER_TERMINATOR;
    }

    /** The exemplars' QA texts, then the prompt for {@code question}. */
    public static String fewShotPrompt(List<QaPair> exemplars, String question) {
        StringBuilder sb = new StringBuilder();
        for (QaPair exemplar : exemplars) {
            sb.append(qa(exemplar.question(), exemplar.answer())).append(' ');
        }
        return sb.append(prompt(question)).toString();
    }

    /** The few-shot prompt followed by the gold answer and the terminator (a pre-training text). */
    public static String fewShotText(List<QaPair> exemplars, String question, String answer) {
        return fewShotPrompt(exemplars, question) + " " + answer + " " + ANSWER_TERMINATOR;
    }

    /**
     * A text of this format with another answer terminator, for a model whose tokenizer has no
     * {@value #ANSWER_TERMINATOR}: a terminator that is a token of its own replaces it between the
     * same spaces; a whitespace terminator (a newline) follows the answer directly and replaces the
     * space after it too, so {@code A: Paris <eoa> Q:} reads {@code A: Paris\nQ:} (the layout of
     * SliCK's few-shot prompts for such a model).
     */
    public static String terminatedBy(String text, String terminator) {
        if (terminator.equals(ANSWER_TERMINATOR)) {
            return text;
        }
        if (!terminator.isBlank()) {
            return text.replace(ANSWER_TERMINATOR, terminator);
        }
        return text.replace(" " + ANSWER_TERMINATOR + " ", terminator).replace(" " + ANSWER_TERMINATOR, terminator);
    }

    /** A question and its answer. */
    public record QaPair(String question, String answer) {
        public QaPair {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(answer, "answer");
        }
    }
}
