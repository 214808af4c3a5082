package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Evidence;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.SubmissionOutcome.State;
import dev.knowgate.contracts.SubmissionStatus;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A submission's counts, kept as the sum over its examples' latest outcomes: each step takes one
 * example's contribution out and puts its new one in, so the counts always add up however often an
 * example is repeated, re-categorized or rejected.
 */
final class SubmissionTally {

    private final String submission;
    private final String curator;
    private long examples;
    private long records;
    private long pending;
    private long categorized;
    private long rejected;
    private final Map<Category, Long> byCategory = new EnumMap<>(Category.class);
    private final Map<Route, Long> byRoute = new EnumMap<>(Route.class);
    private final Map<String, Long> byModel = new TreeMap<>();
    private final Map<String, Long> byReason = new TreeMap<>();
    private final Map<Evidence.Hint, Long> byHint = new EnumMap<>(Evidence.Hint.class);
    private Instant firstAt;
    private Instant lastAt;

    private SubmissionTally(String submission, String curator) {
        this.submission = submission;
        this.curator = curator;
    }

    static SubmissionTally of(SubmissionStatus status, SubmissionOutcome first) {
        if (status == null) {
            return new SubmissionTally(first.submission(), first.curator());
        }
        SubmissionTally t = new SubmissionTally(status.submission(), status.curator());
        t.examples = status.examples();
        t.records = status.records();
        t.pending = status.pending();
        t.categorized = status.categorized();
        t.rejected = status.rejected();
        t.byCategory.putAll(status.byCategory());
        t.byRoute.putAll(status.byRoute());
        t.byModel.putAll(status.byModel());
        t.byReason.putAll(status.byReason());
        t.byHint.putAll(status.byHint());
        t.firstAt = status.firstAt();
        t.lastAt = status.lastAt();
        return t;
    }

    /**
     * One outcome of an example whose latest outcome so far was {@code before} (null: first seen).
     * Returns the example's latest outcome after it: a repeated "received" keeps what the example
     * already had.
     */
    SubmissionOutcome add(SubmissionOutcome before, SubmissionOutcome outcome) {
        if (outcome.state() == State.RECEIVED) {
            records++;
        }
        if (before == null) {
            examples++;
            if (outcome.state() != State.RECEIVED) {
                records++; // its "received" was not seen (it cannot be, but the counts must add up anyway)
            }
        }
        SubmissionOutcome after = before != null && outcome.state() == State.RECEIVED ? before : outcome;
        if (before != null) {
            count(before, -1);
        }
        count(after, +1);
        firstAt = firstAt == null || outcome.at().isBefore(firstAt) ? outcome.at() : firstAt;
        lastAt = lastAt == null || outcome.at().isAfter(lastAt) ? outcome.at() : lastAt;
        return after;
    }

    SubmissionStatus status() {
        return new SubmissionStatus(submission, curator, examples, records, pending, categorized, rejected,
                byCategory, byRoute, byModel, byReason, byHint, firstAt, lastAt);
    }

    private void count(SubmissionOutcome o, int sign) {
        switch (o.state()) {
            case RECEIVED -> pending += sign;
            case CATEGORIZED -> {
                categorized += sign;
                byCategory.merge(o.category(), (long) sign, Long::sum);
                byRoute.merge(o.route(), (long) sign, Long::sum);
                byModel.merge(o.model(), (long) sign, Long::sum);
                if (o.evidence() != null) {
                    byHint.merge(o.evidence().hint(), (long) sign, Long::sum);
                }
            }
            case REJECTED -> {
                rejected += sign;
                byReason.merge(o.reason(), (long) sign, Long::sum);
            }
        }
    }
}
