package dev.knowgate.monitor.flagging;

import java.util.ArrayList;
import java.util.List;

/**
 * One-sided CUSUM (Page 1954) on the per-window share of Unknown verdicts among incoming training
 * examples: S = max(0, S + share - target - slack), a change point when S exceeds the threshold,
 * over when S is back to 0. The target is configured, or learned as the mean of the first
 * warm-up windows. State store value, per lineage.
 *
 * @param target  the expected share; null while it is being learned
 * @param warmup  shares seen while learning it
 * @param sum     the CUSUM statistic S
 * @param recent  the last shares tested, oldest first (the evidence of an alert)
 */
public record UnknownShareCusum(Double target, List<Double> warmup, double sum, List<Window> recent) {

    /** A tested window: its start (ISO-8601) and share. */
    public record Window(String start, double share) {
    }

    static final int KEEP = 20;

    public UnknownShareCusum {
        warmup = List.copyOf(warmup);
        recent = List.copyOf(recent);
    }

    public static UnknownShareCusum start(CusumSettings s) {
        return new UnknownShareCusum(s.target() >= 0 ? s.target() : null, List.of(), 0, List.of());
    }

    public UnknownShareCusum observe(String windowStart, double share, CusumSettings s) {
        List<Window> r = new ArrayList<>(recent);
        r.add(new Window(windowStart, share));
        while (r.size() > KEEP) {
            r.remove(0);
        }
        if (target == null) {
            List<Double> w = new ArrayList<>(warmup);
            w.add(share);
            Double learned = w.size() >= s.warmupWindows() ? w.stream().mapToDouble(Double::doubleValue).average().orElse(0) : null;
            return new UnknownShareCusum(learned, learned == null ? w : List.of(), 0, r);
        }
        return new UnknownShareCusum(target, warmup, Math.max(0, sum + share - target - s.slack()), r);
    }

    public boolean inChange(CusumSettings s) {
        return target != null && sum > s.threshold();
    }
}
