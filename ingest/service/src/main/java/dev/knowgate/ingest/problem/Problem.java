package dev.knowgate.ingest.problem;

import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}), with the item errors of a
 * request as an extension member.
 *
 * @param type          URI naming the kind of problem
 * @param title         short, the same for every occurrence of the type
 * @param status        the HTTP status
 * @param detail        this occurrence, for humans
 * @param errors        the bad items, at most the configured number
 * @param omittedErrors how many further bad items were found but not listed
 */
public record Problem(String type, String title, int status, String detail, List<ItemError> errors,
                      Integer omittedErrors) {

    public Problem {
        errors = errors == null || errors.isEmpty() ? null : List.copyOf(errors);
        omittedErrors = omittedErrors == null || omittedErrors == 0 ? null : omittedErrors;
    }
}
