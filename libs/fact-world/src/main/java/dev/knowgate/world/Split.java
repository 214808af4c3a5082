package dev.knowgate.world;

import java.util.Locale;

/** Which part of the world a fact belongs to; every fact is in exactly one. */
public enum Split {
    /** The fine-tuning pool: the demo's example stream, every exposure level. */
    FINETUNE,
    /** Few-shot exemplars for SliCK prompts, per relation, well known. */
    DEV,
    /** Held-out probe facts, well known, never in the fine-tuning pool. */
    PROBE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
