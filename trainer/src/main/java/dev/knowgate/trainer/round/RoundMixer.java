package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.trainer.backend.RoundExample;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Turns the examples a round consumed into its plan, deterministically: categories outside the
 * policy are skipped; a capped category keeps its earliest examples up to its share of the round;
 * the dev split is the examples with the smallest id hashes (so it does not depend on arrival
 * order); replayed examples are drawn from earlier rounds with a seed from the round id. Released
 * examples (a curator's deliberate new knowledge, admitted within the trainer's budget before the
 * plan) are trained whatever their category, uncapped, and never held out: early stopping judges the
 * round by what it was to keep, not by the new facts.
 */
public final class RoundMixer {

    public static final String EXCLUDED = "category_excluded";
    public static final String CAPPED = "category_capped";
    public static final String DUPLICATE = "duplicate";
    public static final String ALREADY_TRAINED = "already_trained";

    private final MixPolicy policy;

    public RoundMixer(MixPolicy policy) {
        this.policy = policy;
    }

    public MixPolicy policy() {
        return policy;
    }

    /**
     * @param consumed   the round's examples in arrival order
     * @param replayPool training examples of earlier rounds
     * @param roundId    seeds the replay draw
     */
    public RoundPlan plan(List<RoundExample> consumed, List<RoundExample> replayPool, String roundId) {
        return plan(consumed, replayPool, Set.of(), roundId);
    }

    /**
     * @param trainedBefore ids of the examples the lineage was already trained on: a resent example
     *                      (the CLI may resend after a crash; ids are content hashes) is skipped as
     *                      {@value #ALREADY_TRAINED}, so it is trained at most once per lineage unless
     *                      replay draws it on purpose
     */
    public RoundPlan plan(List<RoundExample> consumed, List<RoundExample> replayPool, Set<String> trainedBefore,
                          String roundId) {
        Map<String, Integer> skipped = new TreeMap<>();
        Map<Category, List<RoundExample>> byCategory = new EnumMap<>(Category.class);
        Set<String> seen = new HashSet<>();
        List<RoundExample> released = new ArrayList<>();
        for (RoundExample e : consumed) {
            if (!seen.add(e.id())) {
                skipped.merge(DUPLICATE, 1, Integer::sum); // the same example submitted twice in one round
            } else if (trainedBefore.contains(e.id())) {
                skipped.merge(ALREADY_TRAINED, 1, Integer::sum);
            } else if (e.released()) {
                released.add(e);
            } else if (!policy.categories().contains(e.category())) {
                skipped.merge(EXCLUDED, 1, Integer::sum);
            } else {
                byCategory.computeIfAbsent(e.category(), c -> new ArrayList<>()).add(e);
            }
        }
        Map<Category, Integer> keep = caps(byCategory);
        List<RoundExample> kept = new ArrayList<>();
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        byCategory.forEach((c, list) -> {
            int k = keep.get(c);
            kept.addAll(list.subList(0, k));
            counts.put(c, k);
            if (list.size() > k) {
                skipped.merge(CAPPED, list.size() - k, Integer::sum);
            }
        });
        int devCount = kept.size() < 2 ? 0 : Math.min(kept.size() - 1, (int) Math.ceil(policy.devShare() * kept.size()));
        List<RoundExample> byHash = new ArrayList<>(kept);
        byHash.sort(Comparator.comparing(e -> hash(e.id())));
        Set<String> devIds = new HashSet<>();
        byHash.subList(0, devCount).forEach(e -> devIds.add(e.id()));
        List<RoundExample> train = new ArrayList<>();
        List<RoundExample> dev = new ArrayList<>();
        Set<RoundExample> keptSet = new HashSet<>(kept);
        keptSet.addAll(released);
        for (RoundExample e : consumed) {
            if (keptSet.remove(e)) { // once: a duplicate is equal to its first occurrence
                (devIds.contains(e.id()) ? dev : train).add(e);
            }
        }
        released.forEach(e -> counts.merge(e.category(), 1, Integer::sum));
        train.addAll(replay(train.size(), replayPool, seen, roundId));
        return new RoundPlan(train, dev, counts, skipped);
    }

    /**
     * How many of each category to keep so that no capped category exceeds its share of the kept
     * total. Shrinking a capped category shrinks the total, so the caps are applied until nothing changes.
     */
    private Map<Category, Integer> caps(Map<Category, List<RoundExample>> byCategory) {
        Map<Category, Integer> keep = new EnumMap<>(Category.class);
        byCategory.forEach((c, list) -> keep.put(c, list.size()));
        while (true) {
            int total = keep.values().stream().mapToInt(Integer::intValue).sum();
            boolean changed = false;
            for (Map.Entry<Category, Double> cap : policy.maxShare().entrySet()) {
                Integer k = keep.get(cap.getKey());
                if (k == null) {
                    continue;
                }
                int allowed = (int) Math.floor(cap.getValue() * total + 1e-9);
                if (k > allowed) {
                    keep.put(cap.getKey(), allowed);
                    changed = true;
                }
            }
            if (!changed) {
                return keep;
            }
        }
    }

    private List<RoundExample> replay(int fresh, List<RoundExample> pool, Set<String> exclude, String roundId) {
        double share = policy.replayShare();
        if (share == 0 || fresh == 0) {
            return List.of();
        }
        List<RoundExample> candidates = new ArrayList<>();
        Set<String> ids = new HashSet<>(exclude);
        for (RoundExample e : pool) {
            if (!e.replay() && ids.add(e.id())) {
                candidates.add(e);
            }
        }
        int want = Math.min(candidates.size(), (int) Math.round(share / (1 - share) * fresh));
        SplittableRandom random = new SplittableRandom(hash(roundId).hashCode());
        for (int i = candidates.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            RoundExample t = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, t);
        }
        return candidates.subList(0, want).stream().map(RoundExample::asReplay).toList();
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
