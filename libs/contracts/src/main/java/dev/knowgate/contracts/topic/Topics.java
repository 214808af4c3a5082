package dev.knowgate.contracts.topic;

import java.util.List;
import java.util.Map;

/**
 * The one place where the pipeline's topics are named and shaped. Services refer to these
 * constants; nothing else spells a topic name.
 */
public final class Topics {

    /** Keep for ever: the audit trail of what was categorized, quarantined or rejected, and why. */
    private static final Map<String, String> KEEP_FOREVER = Map.of("retention.ms", "-1");
    private static final Map<String, String> ONE_WEEK = Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000));

    public static final TopicSpec EXAMPLES_SUBMITTED = new TopicSpec("examples.submitted", 6, false, ONE_WEEK,
            "examples as curators pushed them (ingest), keyed by example id");
    public static final TopicSpec EXAMPLES_CATEGORIZED = new TopicSpec("examples.categorized", 6, false, KEEP_FOREVER,
            "every verdict with its example and model version (audit log)");
    public static final TopicSpec EXAMPLES_ACCEPTED = new TopicSpec("examples.accepted", 6, false, ONE_WEEK,
            "examples the routing policy sends to training");
    public static final TopicSpec EXAMPLES_QUARANTINED = new TopicSpec("examples.quarantined", 6, false, KEEP_FOREVER,
            "Unknown examples routed away from training");
    /**
     * Kept for ever: a released example may wait for several rounds (the trainer's budget), and a
     * topic of its own lets it wait without holding up the accepted examples behind it.
     */
    public static final TopicSpec EXAMPLES_RELEASED = new TopicSpec("examples.released", 6, false, KEEP_FOREVER,
            "quarantined examples curators released to training (route released, with their Unknown verdict), admitted by the trainer within its budget");
    public static final TopicSpec EXAMPLES_PARKED = new TopicSpec("examples.parked", 6, false, KEEP_FOREVER,
            "accepted examples of a round whose version the gate rejected, set aside instead of trained on (headers say why)");
    public static final TopicSpec EXAMPLES_REJECTED = new TopicSpec("examples.rejected", 3, false, KEEP_FOREVER,
            "malformed records with the reason they were refused");
    /**
     * Written and read by categorize-stream only: it re-keys what it saw of each example by submission
     * here, and aggregates it into the submissions store that answers GET /v1/submissions/{id}.
     */
    public static final TopicSpec SUBMISSIONS_OUTCOMES = new TopicSpec("submissions.outcomes", 6, false, ONE_WEEK,
            "what became of each example (received, categorized, rejected), keyed by curator/submission");
    /**
     * Co-partitioned with examples.submitted (6 partitions, keyed by example id), so that the task of
     * categorize-stream that quarantined an example is the one that applies the decisions about it.
     * Kept for ever: the audit of who released, dropped, amended or returned what, and why.
     */
    public static final TopicSpec QUARANTINE_DECISIONS = new TopicSpec("quarantine.decisions", 6, false, KEEP_FOREVER,
            "curators' release, drop and amend decisions about quarantined examples, and the trainer's returns, keyed by example id");
    /** One partition: versions of a model must be seen in the order they were published. */
    public static final TopicSpec MODELS = new TopicSpec("models", 1, true, Map.of("min.compaction.lag.ms", "60000"),
            "model versions (manifests), keyed by name@version; each a candidate until models.decisions promotes it");
    /**
     * One partition, kept for ever (an audit log, not compacted): decisions about versions must be
     * read in the order they were made, operators' and the gate's alike.
     */
    public static final TopicSpec MODELS_DECISIONS = new TopicSpec("models.decisions", 1, false, KEEP_FOREVER,
            "promotion and rejection of model versions, with their evidence; the last promoted is live");
    public static final TopicSpec PROBES = new TopicSpec("probes", 3, true, Map.of(),
            "the probe set: held-out facts the base model knows, keyed by example id");
    public static final TopicSpec PROBES_RESULTS = new TopicSpec("probes.results", 3, false, KEEP_FOREVER,
            "per probe and model version: category and whether it was answered correctly");
    public static final TopicSpec ALERTS = new TopicSpec("alerts", 1, false, KEEP_FOREVER,
            "fired and resolved alerts, in order");

    public static final List<TopicSpec> ALL = List.of(
            EXAMPLES_SUBMITTED, EXAMPLES_CATEGORIZED, EXAMPLES_ACCEPTED, EXAMPLES_QUARANTINED, EXAMPLES_RELEASED, EXAMPLES_PARKED, EXAMPLES_REJECTED,
            SUBMISSIONS_OUTCOMES, QUARANTINE_DECISIONS,
            MODELS, MODELS_DECISIONS, PROBES, PROBES_RESULTS, ALERTS);

    private Topics() {
    }
}
