package dev.knowgate.ingest.submit;

import java.util.List;

/**
 * The 202 answer: how many examples the broker acknowledged, their ids in request order, and the
 * submission they were stamped with (the one the request named, or one ingest made up).
 */
public record Accepted(int accepted, List<String> ids, String submission) {

    public Accepted {
        ids = List.copyOf(ids);
    }
}
