package dev.knowgate.trainer.round;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.LearnedCount;
import dev.knowgate.trainer.backend.TrainingOutcome;

import java.time.Instant;
import java.util.Map;

/**
 * A round as GET /v1/rounds shows it. Its parts are filled in as the round goes (read, planned,
 * trained, learned); a part not reached yet is null and absent from the JSON, which stays flat.
 *
 * @param id         the round id (in the manifest of the version it produced)
 * @param status     where it is or how it ended
 * @param parent     the version it trained from, name@version
 * @param version    the version it published, name@version
 * @param attempt    0 for a round's first training, n for its n-th retry after a rejection
 * @param startedAt  when it started
 * @param finishedAt when it ended
 * @param source     what it read from examples.accepted
 * @param plan       what it trains on
 * @param training   how the training went
 * @param knowledge  what its version answers of what it was taught
 * @param error      why it failed
 * @param decision   the decision on its version, in words, once made
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoundRecord(String id, RoundStatus status, String parent, String version, int attempt, Instant startedAt,
                          Instant finishedAt, @JsonUnwrapped Source source, @JsonUnwrapped Plan plan,
                          @JsonUnwrapped Training training, @JsonUnwrapped Knowledge knowledge, String error,
                          String decision) {

    /**
     * @param examples     examples consumed from examples.accepted
     * @param startOffsets where the round's reading began, "topic-partition" to offset
     * @param endOffsets   the offsets it commits
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Source(int examples, Map<String, Long> startOffsets, Map<String, Long> endOffsets) {
    }

    /**
     * @param examplesByCategory new examples trained on or held out, per category
     * @param skipped            consumed but not trained on, per reason
     * @param train              training examples (replayed included)
     * @param replayed           of which replayed from earlier rounds
     * @param dev                dev split
     * @param released           released examples trained on (a curator's new knowledge, within the budget), by id; absent when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Plan(Map<Category, Integer> examplesByCategory, Map<String, Integer> skipped, int train, int replayed,
                       int dev, java.util.List<String> released) {

        static Plan of(RoundPlan plan) {
            return new Plan(plan.byCategory(), plan.skipped(), plan.train().size(), plan.replayed(), plan.dev().size(),
                    plan.released().isEmpty() ? null : plan.released());
        }
    }

    /**
     * @param epochs            epochs run
     * @param trainLoss         training loss of the kept epoch
     * @param devAccuracyBefore the parent's dev accuracy
     * @param devAccuracy       the new version's dev accuracy
     * @param tokensPerSecond   training throughput
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(int epochs, Double trainLoss, Double devAccuracyBefore, Double devAccuracy,
                           double tokensPerSecond) {

        static Training of(TrainingOutcome outcome) {
            return new Training(outcome.epochs(), outcome.trainLoss(), outcome.devAccuracyBefore(), outcome.devAccuracy(),
                    outcome.tokensPerSecond());
        }
    }

    /**
     * @param learned        of its new training facts per category, how many its version answers
     * @param lineageLearned the same over every fact trained on along the promoted lineage
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Knowledge(Map<Category, LearnedCount> learned, Map<Category, LearnedCount> lineageLearned) {
    }

    /** A round (or a retry of one) that starts training now. */
    public static RoundRecord started(String id, String parent, Source source, int attempt, Instant at) {
        return new RoundRecord(id, RoundStatus.TRAINING, parent, null, attempt, at, null, source, null, null, null, null,
                null);
    }

    /** A round whose version a crash interrupted: found again at start, its decision awaited or acted on. */
    public static RoundRecord recovered(String id, String version, int attempt, String decision, Instant at) {
        return new RoundRecord(id, RoundStatus.RECOVERED, null, version, attempt, null, at, new Source(0, null, null),
                null, null, null, null, decision);
    }

    /** Published as a candidate: the decision on it is awaited. */
    public RoundRecord awaiting(String version, Knowledge knowledge) {
        return new RoundRecord(id, RoundStatus.AWAITING_DECISION, parent, version, attempt, startedAt, null, source, plan,
                training, knowledge, error, decision);
    }

    /** Its version was decided on. */
    public RoundRecord decided(RoundStatus status, String decision, Instant at) {
        return new RoundRecord(id, status, parent, version, attempt, startedAt, at, source, plan, training, knowledge, error,
                decision);
    }

    public RoundRecord planned(RoundPlan plan) {
        return new RoundRecord(id, status, parent, version, attempt, startedAt, finishedAt, source, Plan.of(plan), training,
                knowledge, error, decision);
    }

    public RoundRecord trained(TrainingOutcome outcome) {
        return new RoundRecord(id, status, parent, version, attempt, startedAt, finishedAt, source, plan,
                Training.of(outcome), knowledge, error, decision);
    }

    public RoundRecord finished(RoundStatus status, String version, String error, Instant at) {
        return new RoundRecord(id, status, parent, version, attempt, startedAt, at, source, plan, training, knowledge, error,
                decision);
    }
}
