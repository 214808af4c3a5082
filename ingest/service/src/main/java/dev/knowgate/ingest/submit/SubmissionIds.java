package dev.knowgate.ingest.submit;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.SubmissionStatus;

import java.util.UUID;

/**
 * The submission a request's examples belong to: the one its {@value SubmissionStatus#HEADER} header
 * names (an id, as example ids are: it becomes a key and a URL segment), or a new one.
 */
final class SubmissionIds {

    private SubmissionIds() {
    }

    /** @throws dev.knowgate.contracts.ContractViolation naming the header when the id is not an id */
    static String of(String header) {
        if (header == null || header.isBlank()) {
            return "sub-" + UUID.randomUUID();
        }
        // The contract's own check, so that ingest accepts exactly what the records may carry.
        return Example.submissionId(header.strip());
    }
}
