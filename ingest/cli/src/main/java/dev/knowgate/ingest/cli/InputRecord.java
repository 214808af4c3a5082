package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.Example;

/**
 * One record of the input, read and checked: either a valid example or the reason it is not.
 *
 * @param startLine 1-based line where the record starts (what messages report)
 * @param endLine   1-based line where it ends (differs from startLine for CSV rows with quoted line breaks)
 * @param example   the example, when valid; null otherwise
 * @param problem   why it is not valid; null when valid
 */
record InputRecord(long startLine, long endLine, Example example, Rejection problem) {

    static InputRecord valid(long startLine, long endLine, Example example) {
        return new InputRecord(startLine, endLine, example, null);
    }

    static InputRecord invalid(long startLine, long endLine, Rejection problem) {
        return new InputRecord(startLine, endLine, null, problem);
    }
}
