package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.SubmissionStatus;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The closing summary knowgate-push prints on stdout. */
public final class Summary {

    /** Rejected lines listed without --verbose. */
    public static final int SHOWN_REJECTIONS = 20;

    private Summary() {
    }

    public static String format(PushResult r, URI url, boolean verbose) {
        PushCounts c = r.counts();
        StringBuilder out = new StringBuilder();
        String name = name(r.input());
        if (r.dryRun()) {
            out.append("dry run of ").append(name).append(": validated locally, nothing sent, no progress saved\n");
        } else {
            out.append("push of ").append(name).append(" to ").append(url).append(": ").append(headline(r)).append('\n');
        }
        if (r.resumedAfterLine() > 0) {
            row(out, "resumed", "at line " + (r.resumedAfterLine() + 1) + " (totals include earlier runs)");
        }
        row(out, "lines read", Long.toString(c.linesRead()));
        if (r.dryRun()) {
            row(out, "valid", c.accepted() + " (would be sent in " + c.batches() + plural(c.batches(), " batch", " batches") + ")");
        } else {
            row(out, "accepted", Long.toString(c.accepted()));
        }
        row(out, "rejected", c.rejected() + (c.rejectedByReason().isEmpty() ? "" : " (" + byReason(c.rejectedByReason()) + ")"));
        row(out, "duplicates", Long.toString(c.duplicates()));
        if (!r.dryRun()) {
            row(out, "batches", Long.toString(c.batches()));
            row(out, "retries", c.retries() + " (" + c.requests() + plural(c.requests(), " request", " requests") + " in all)");
        }
        double seconds = r.elapsed().toNanos() / 1e9;
        String rate = String.format(Locale.ROOT, "%.0f", r.dryRun()
                ? (seconds <= 0 ? 0 : c.linesRead() / seconds) : r.examplesPerSecond());
        row(out, "elapsed", Durations.format(r.elapsed()) + (r.dryRun() ? ", " + rate + " lines checked/s"
                : ", " + r.acceptedThisRun() + " accepted by this run, " + rate + " examples/s"));

        List<Rejection> list = r.rejections();
        if (!list.isEmpty()) {
            int shown = verbose ? list.size() : Math.min(SHOWN_REJECTIONS, list.size());
            long total = c.notAccepted();
            out.append(shown < total
                    ? "not accepted (first " + shown + " of " + total + (verbose ? "" : "; --verbose lists all") + "):\n"
                    : "not accepted:\n");
            for (int i = 0; i < shown; i++) {
                out.append("  ").append(list.get(i).describe()).append('\n');
            }
            if (verbose && list.size() < total) {
                out.append("  (the state keeps the first ").append(PushState.MAX_KEPT_REJECTIONS).append(" only)\n");
            }
        }
        if (r.submission() != null) {
            out.append("submission: ").append(r.submission()).append('\n');
        }
        if (r.stateFile() != null) {
            out.append("progress: ").append(r.stateFile()).append(" (")
                    .append(r.status() == PushStatus.COMPLETE || r.status() == PushStatus.ALREADY_COMPLETE
                            ? "complete" : "up to line " + r.linesHandled() + " of " + r.totalLines())
                    .append(")\n");
        }
        return out.toString();
    }

    /** What categorize-stream made of a submission (knowgate-push --wait). */
    public static String verdicts(SubmissionStatus s, boolean settled) {
        StringBuilder out = new StringBuilder();
        out.append("verdicts of submission ").append(s.submission()).append(": ")
                .append(settled ? "every example judged or rejected" : "not settled").append('\n');
        row(out, "examples", s.examples() + (s.records() > s.examples() ? " (" + s.records() + " records: repeats counted once)" : ""));
        for (Category c : Category.values()) {
            long n = s.byCategory().getOrDefault(c, 0L);
            row(out, c.wireName(), n + String.format(Locale.ROOT, " (%.1f%%)", s.examples() == 0 ? 0.0 : 100.0 * n / s.examples()));
        }
        row(out, "routed", s.byRoute().isEmpty() ? "none yet" : s.byRoute().entrySet().stream()
                .map(e -> e.getKey().wireName() + " " + e.getValue()).collect(Collectors.joining(", ")));
        if (!s.byHint().isEmpty()) {
            // What the quarantined examples' evidence suggests (docs/curators.md, "Reading the evidence").
            row(out, "hints", s.byHint().entrySet().stream().map(e -> e.getKey().wireName() + " " + e.getValue())
                    .collect(Collectors.joining(", ")) + " (--report has each)");
        }
        row(out, "rejected", s.rejected() + (s.byReason().isEmpty() ? "" : " (" + byReason(s.byReason()) + ")"));
        row(out, "pending", Long.toString(s.pending()));
        row(out, "judged by", s.byModel().isEmpty() ? "none yet" : s.byModel().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
        return out.toString();
    }

    private static String headline(PushResult r) {
        return switch (r.status()) {
            case COMPLETE -> r.counts().notAccepted() == 0 ? "complete, every line accepted" : "complete, some lines not accepted";
            case ALREADY_COMPLETE -> "already complete, nothing sent";
            case INTERRUPTED -> "interrupted";
            case AUTH_FAILED -> "refused (authentication)";
            case GAVE_UP -> "gave up";
            case FAILED -> "failed";
        };
    }

    private static String byReason(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static void row(StringBuilder out, String label, String value) {
        out.append("  ").append(String.format(Locale.ROOT, "%-11s", label)).append(' ').append(value).append('\n');
    }

    private static String plural(long n, String one, String many) {
        return n == 1 ? one : many;
    }

    private static String name(Path input) {
        return input == null ? "?" : input.getFileName().toString();
    }
}
