package dev.knowgate.training.finetune;

import dev.knowgate.model.runtime.ModelTokenizer;

import java.util.Arrays;

/**
 * A question-answer example as the model sees it in fine-tuning: the prompt template with the
 * question, then the answer and the terminator; only the answer and terminator tokens are targets.
 *
 * @param ids         prompt, answer, terminator
 * @param answerStart index of the first answer token
 */
public record QaSequence(int[] ids, int answerStart) {

    public static QaSequence of(ModelTokenizer tokenizer, String promptTemplate, String terminator, String question,
                                String answer) {
        int[] prompt = tokenizer.encode(promptTemplate.replace("{question}", question));
        int[] gold = tokenizer.encode(answer);
        int[] ids = Arrays.copyOf(prompt, prompt.length + gold.length + 1);
        System.arraycopy(gold, 0, ids, prompt.length, gold.length);
        ids[ids.length - 1] = tokenizer.terminatorId(terminator);
        return new QaSequence(ids, prompt.length);
    }
}
