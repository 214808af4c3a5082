package dev.knowgate.service.problem;

import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}), the one every service answers errors with;
 * a request's bad items (ingest's validation) go in the {@code errors} extension member, left out when empty.
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
