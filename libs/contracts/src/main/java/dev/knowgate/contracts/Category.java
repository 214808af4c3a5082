package dev.knowgate.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * SliCK knowledge categories (Gekhman et al. 2024): how well the model already knows the
 * fact behind an example, judged by how often it reproduces the gold answer.
 */
public enum Category implements WireEnum {
    /** Greedy decoding gives the gold answer under every prompt. */
    HIGHLY_KNOWN("HighlyKnown"),
    /** Greedy decoding gives it under some prompts but not all. */
    MAYBE_KNOWN("MaybeKnown"),
    /** Never greedily, but temperature sampling sometimes does. */
    WEAKLY_KNOWN("WeaklyKnown"),
    /** Never, greedy or sampled: new knowledge, the kind that raises hallucination rates. */
    UNKNOWN("Unknown");

    private final String wireName;

    Category(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    @Override
    public String wireName() {
        return wireName;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Category fromWire(String wireName) {
        return WireEnum.parse(Category.class, wireName);
    }

    /** The paper's "Known": HighlyKnown or MaybeKnown. */
    public boolean isKnown() {
        return this == HIGHLY_KNOWN || this == MAYBE_KNOWN;
    }

    /**
     * The SliCK rule.
     *
     * @param pGreedy  fraction of prompts whose greedy answer matches the gold answer
     * @param pSampled fraction (or probability) of temperature samples that match it
     */
    public static Category of(double pGreedy, double pSampled) {
        Require.probability("pGreedy", pGreedy);
        Require.probability("pSampled", pSampled);
        if (pGreedy == 1.0) {
            return HIGHLY_KNOWN;
        }
        if (pGreedy > 0.0) {
            return MAYBE_KNOWN;
        }
        return pSampled > 0.0 ? WEAKLY_KNOWN : UNKNOWN;
    }
}
