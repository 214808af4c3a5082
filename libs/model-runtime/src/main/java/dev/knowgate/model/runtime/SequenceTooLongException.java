package dev.knowgate.model.runtime;

/** A token sequence (a prompt with its answer) is longer than the model's learned positions. */
public final class SequenceTooLongException extends IllegalArgumentException {

    private final int length;
    private final int maxPositions;

    public SequenceTooLongException(int length, int maxPositions) {
        super("sequence of " + length + " tokens is longer than the model's " + maxPositions + " positions");
        this.length = length;
        this.maxPositions = maxPositions;
    }

    public int length() {
        return length;
    }

    public int maxPositions() {
        return maxPositions;
    }
}
