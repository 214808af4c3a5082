package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Category;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/** The SliCK category mix of one lineage's incoming training examples in one time window (GET /v1/mix). */
public record MixWindow(String model, Instant windowStart, Instant windowEnd, Map<Category, Integer> counts, int total,
                        double unknownShare) {

    public MixWindow {
        counts = Map.copyOf(counts);
    }

    public static MixWindow empty(String model, Instant start, Instant end) {
        return new MixWindow(model, start, end, Map.of(), 0, 0);
    }

    public MixWindow with(Category c) {
        Map<Category, Integer> next = new EnumMap<>(Category.class);
        next.putAll(counts);
        next.merge(c, 1, Integer::sum);
        int t = total + 1;
        return new MixWindow(model, windowStart, windowEnd, next, t, (double) next.getOrDefault(Category.UNKNOWN, 0) / t);
    }
}
