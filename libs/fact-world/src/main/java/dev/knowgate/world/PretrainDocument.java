package dev.knowgate.world;

import java.util.Objects;

/**
 * One pre-training text, a line of pretrain.jsonl. The trainer wraps each in {@code <bos>} ...
 * {@code <eos>}.
 *
 * @param text     space-separated words
 * @param type     {@value #STATEMENT}, {@value #QA} or {@value #FEW_SHOT}
 * @param factId   the fact it states or asks about (for few-shot texts: the final question's fact)
 * @param relation that fact's relation
 * @param exposure that fact's exposure
 */
public record PretrainDocument(String text, String type, String factId, String relation, int exposure) {

    public static final String STATEMENT = "statement";
    public static final String QA = "qa";
    public static final String FEW_SHOT = "fewshot";

    public PretrainDocument {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(factId, "factId");
        Objects.requireNonNull(relation, "relation");
    }
}
