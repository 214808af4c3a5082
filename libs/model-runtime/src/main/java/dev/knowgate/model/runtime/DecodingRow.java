package dev.knowgate.model.runtime;

import java.util.Arrays;

/**
 * The state of one sequence being decoded, and the stopping rule every decoder shares: the fed
 * sequence (prompt plus answer plus terminator) never exceeds the model's positions, the answer
 * never exceeds the token limit.
 */
final class DecodingRow {

    final int group;
    private final int[] prompt;
    private final TokenChooser chooser;
    private int[] answer = new int[8];
    private int count;
    private int fed;
    private Decoded.Stop stop;

    DecodingRow(int group, int[] prompt, TokenChooser chooser) {
        this.group = group;
        this.prompt = prompt;
        this.chooser = chooser;
        this.fed = prompt.length;
    }

    boolean active() {
        return stop == null;
    }

    /** Tokens the model has seen: the prompt and every answer token fed since. */
    int fedLength() {
        return fed;
    }

    /** The newest answer token, the one to feed next. */
    int lastToken() {
        return answer[count - 1];
    }

    /** The newest answer token has been fed (its position is the old fed length). */
    void fed() {
        fed++;
    }

    /** Prompt and answer so far, for decoders that recompute everything. */
    int[] sequence() {
        int[] all = Arrays.copyOf(prompt, prompt.length + count);
        System.arraycopy(answer, 0, all, prompt.length, count);
        return all;
    }

    /**
     * Chooses the next token from the logits of the last fed position. Returns true when the row
     * goes on and the chosen token must be fed; false when it stopped.
     */
    boolean step(float[] logits, StopTokens stops, int maxNewTokens, int maxPositions) {
        if (fed >= maxPositions) {
            // Even the terminator would sit past the last learned position.
            stop = Decoded.Stop.POSITION_LIMIT;
            return false;
        }
        int next = chooser.choose(logits);
        if (stops.contains(next)) {
            stop = Decoded.Stop.TERMINATOR;
            return false;
        }
        if (count == maxNewTokens) {
            stop = Decoded.Stop.MAX_TOKENS;
            return false;
        }
        if (count == answer.length) {
            answer = Arrays.copyOf(answer, 2 * count);
        }
        answer[count++] = next;
        return true;
    }

    Decoded result() {
        if (stop == null) {
            throw new IllegalStateException("row is still decoding");
        }
        return new Decoded(Arrays.copyOf(answer, count), stop);
    }
}
