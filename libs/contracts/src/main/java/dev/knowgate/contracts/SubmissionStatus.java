package dev.knowgate.contracts;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What became of a submission, counted over the latest outcome of each of its examples: the answer
 * of {@code GET /v1/submissions/{id}} (categorize-stream), kept by a stream aggregation of
 * submissions.outcomes. Every example is in exactly one of pending, categorized and rejected, so
 * {@code pending + categorized + rejected == examples}, and the counts by category, route and
 * model add up to {@code categorized}.
 *
 * @param submission the submission's id
 * @param curator    whose submission it is
 * @param examples   distinct examples received
 * @param records    records received, repeats of an example included (a retried request)
 * @param pending    examples not categorized or rejected yet
 * @param categorized examples with a verdict
 * @param rejected   examples refused after ingest accepted them
 * @param byCategory categorized examples per SliCK category
 * @param byRoute    categorized examples per route
 * @param byModel    categorized examples per judging version (name@version)
 * @param byReason   rejected examples per reason code
 * @param byHint     quarantined examples per hint of their evidence (docs/curators.md)
 * @param firstAt    when its first record was received
 * @param lastAt     when its last outcome happened
 */
public record SubmissionStatus(
        String submission,
        String curator,
        long examples,
        long records,
        long pending,
        long categorized,
        long rejected,
        Map<Category, Long> byCategory,
        Map<Route, Long> byRoute,
        Map<String, Long> byModel,
        Map<String, Long> byReason,
        Map<Evidence.Hint, Long> byHint,
        Instant firstAt,
        Instant lastAt) {

    /**
     * The HTTP header that names a request's submission at ingest (and carries ingest's answer back):
     * a client that sends several requests for one submission names it in each.
     */
    public static final String HEADER = "Knowgate-Submission";

    public SubmissionStatus {
        Require.exampleId("submission", submission, Example.MAX_ID_LENGTH);
        Require.line("curator", curator, Example.MAX_LABEL_LENGTH);
        Require.atLeast("examples", examples, 0L);
        Require.atLeast("records", records, examples);
        Require.atLeast("pending", pending, 0L);
        Require.atLeast("categorized", categorized, 0L);
        Require.atLeast("rejected", rejected, 0L);
        if (pending + categorized + rejected != examples) {
            throw ContractViolation.invalid("examples", "is " + examples + " but pending + categorized + rejected is "
                    + (pending + categorized + rejected));
        }
        byCategory = positive(byCategory, new EnumMap<>(Category.class), "byCategory");
        byRoute = positive(byRoute, new EnumMap<>(Route.class), "byRoute");
        byModel = positive(byModel, new TreeMap<>(), "byModel");
        byReason = positive(byReason, new TreeMap<>(), "byReason");
        byHint = positive(byHint, new EnumMap<>(Evidence.Hint.class), "byHint");
        Require.present("firstAt", firstAt);
        Require.present("lastAt", lastAt);
    }

    /** Nothing left to wait for: every example has a verdict or a rejection. */
    public boolean settled() {
        return pending == 0;
    }

    // Ordered copies without zero entries: equal statuses print alike.
    private static <K> Map<K, Long> positive(Map<K, Long> counts, Map<K, Long> copy, String name) {
        if (counts != null) {
            counts.forEach((key, count) -> {
                Require.present(name, key);
                String field = FieldPath.member(name, key instanceof WireEnum w ? w.wireName() : key.toString());
                if (Require.atLeast(field, Require.present(field, count), 0L) > 0) {
                    copy.put(key, count);
                }
            });
        }
        return Collections.unmodifiableMap(copy);
    }
}
