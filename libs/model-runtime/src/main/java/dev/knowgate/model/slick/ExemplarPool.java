package dev.knowgate.model.slick;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exemplars by relation, and the mixed pool every relation falls back to when an example has no
 * relation, or one with too few exemplars. Sorted by id so draws do not depend on input order.
 */
public final class ExemplarPool {

    public static final String MIXED = "mixed";

    private final Map<String, List<Exemplar>> byRelation = new TreeMap<>();
    private final List<Exemplar> mixed;

    public ExemplarPool(List<Exemplar> exemplars) {
        List<Exemplar> all = new ArrayList<>(exemplars);
        all.sort(Comparator.comparing(Exemplar::id));
        for (Exemplar e : all) {
            if (e.relation() != null) {
                byRelation.computeIfAbsent(e.relation(), r -> new ArrayList<>()).add(e);
            }
        }
        byRelation.replaceAll((r, list) -> List.copyOf(list));
        this.mixed = List.copyOf(all);
    }

    /** The pool a question draws from: its relation's when that has at least {@code needed}, else the mixed one. */
    public Pool poolFor(String relation, int needed) {
        List<Exemplar> own = relation == null ? null : byRelation.get(relation);
        if (own != null && own.size() >= needed) {
            return new Pool(relation, own, false);
        }
        if (mixed.size() < needed) {
            throw new IllegalStateException("the exemplar pool holds " + mixed.size() + " exemplars, " + needed + " needed");
        }
        return new Pool(MIXED, mixed, true);
    }

    /** Exemplars to draw from, named (a relation, or "mixed") and marked when it is a fallback. */
    public record Pool(String name, List<Exemplar> exemplars, boolean fallback) {
    }
}
