package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Route;

import java.util.EnumSet;
import java.util.Set;

/** Which categories go to training (examples.accepted); the rest are quarantined. */
public record RoutingPolicy(Set<Category> accepted) {

    public RoutingPolicy {
        accepted = accepted.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(accepted));
    }

    /** HighlyKnown, MaybeKnown and WeaklyKnown in, Unknown out. */
    public static RoutingPolicy defaults() {
        return new RoutingPolicy(EnumSet.of(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN));
    }

    public Route route(Category category) {
        return accepted.contains(category) ? Route.ACCEPTED : Route.QUARANTINED;
    }
}
