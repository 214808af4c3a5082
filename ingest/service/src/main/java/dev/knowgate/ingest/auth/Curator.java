package dev.knowgate.ingest.auth;

import java.util.Set;

/** The caller behind an API key: the name stamped on its examples, and what it may do. */
public record Curator(String name, Set<Right> rights) {

    public Curator {
        rights = Set.copyOf(rights);
    }

    public boolean may(Right right) {
        return rights.contains(right);
    }
}
