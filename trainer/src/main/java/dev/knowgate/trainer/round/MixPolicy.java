package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which accepted examples a round trains on.
 *
 * @param categories  the categories trained on; the rest are skipped
 * @param maxShare    per category, the most of a round's new examples it may make up
 * @param replayShare share of the training examples drawn from earlier rounds
 * @param devShare    share of the new examples held out for early stopping
 */
public record MixPolicy(Set<Category> categories, Map<Category, Double> maxShare, double replayShare,
                        double devShare) {

    public MixPolicy {
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("knowgate.trainer.mix.categories: name at least one category");
        }
        categories = Set.copyOf(categories);
        maxShare.forEach((c, share) -> {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("knowgate.trainer.mix.max-share." + c.name() + " must be in [0, 1], got " + share);
            }
        });
        maxShare = Map.copyOf(maxShare);
        if (!(replayShare >= 0 && replayShare <= 0.9)) {
            throw new IllegalArgumentException("knowgate.trainer.mix.replay-share must be in [0, 0.9], got " + replayShare);
        }
        if (!(devShare >= 0 && devShare < 1)) {
            throw new IllegalArgumentException("knowgate.trainer.round.dev-share must be in [0, 1), got " + devShare);
        }
    }

    /** From configuration: category names as HIGHLY_KNOWN or HighlyKnown. */
    public static MixPolicy parse(List<String> categories, Map<String, Double> maxShare, double replayShare,
                                  double devShare) {
        Set<Category> set = EnumSet.noneOf(Category.class);
        categories.forEach(name -> set.add(category(name)));
        Map<Category, Double> caps = new EnumMap<>(Category.class);
        maxShare.forEach((name, share) -> caps.put(category(name), share));
        return new MixPolicy(set, caps, replayShare, devShare);
    }

    static Category category(String name) {
        String n = name.trim();
        for (Category c : Category.values()) {
            if (c.name().equalsIgnoreCase(n) || c.wireName().equalsIgnoreCase(n)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown SliCK category '" + name + "' (one of "
                + String.join(", ", EnumSet.allOf(Category.class).stream().map(Category::name).toList()) + ")");
    }
}
