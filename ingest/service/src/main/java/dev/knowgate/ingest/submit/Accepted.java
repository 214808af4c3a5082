package dev.knowgate.ingest.submit;

import java.util.List;

/** The 202 answer: how many examples the broker acknowledged, and their ids in request order. */
public record Accepted(int accepted, List<String> ids) {

    public Accepted {
        ids = List.copyOf(ids);
    }
}
