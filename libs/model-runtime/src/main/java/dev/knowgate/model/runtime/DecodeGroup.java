package dev.knowgate.model.runtime;

import java.util.List;

/**
 * A prompt and the sequences decoded from it, one chooser each (for SliCK: one greedy, N samplers).
 * A decoder that can computes the prompt once for all of them. Choosers carry state, so a group is
 * decoded once.
 */
public record DecodeGroup(int[] prompt, List<TokenChooser> rows) {

    public DecodeGroup {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a group needs at least one row to decode");
        }
        prompt = prompt.clone();
        rows = List.copyOf(rows);
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    int promptLength() {
        return prompt.length;
    }

    int promptToken(int i) {
        return prompt[i];
    }
}
