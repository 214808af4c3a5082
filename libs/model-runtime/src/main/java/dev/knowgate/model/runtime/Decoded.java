package dev.knowgate.model.runtime;

import java.util.Arrays;

/**
 * One decoded answer: the tokens chosen before the stop token (the stop token itself is not
 * included), and why decoding ended. Only {@link Stop#TERMINATOR} is an answer.
 */
public record Decoded(int[] tokens, Stop stop) {

    public enum Stop {
        /** The stop token (the answer terminator) was chosen. */
        TERMINATOR,
        /** The answer reached the token limit without a terminator. */
        MAX_TOKENS,
        /** The sequence reached the model's learned positions without a terminator. */
        POSITION_LIMIT
    }

    public Decoded {
        tokens = tokens.clone();
    }

    public boolean answered() {
        return stop == Stop.TERMINATOR;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Decoded d && d.stop == stop && Arrays.equals(d.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + stop.hashCode();
    }

    @Override
    public String toString() {
        return "Decoded" + Arrays.toString(tokens) + " " + stop;
    }
}
