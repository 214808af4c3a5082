package dev.knowgate.trainer.round;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.LearnedCount;

import java.time.Instant;
import java.util.Map;

/**
 * A round as GET /v1/rounds shows it.
 *
 * @param id                 the round id (in the manifest of the version it produced)
 * @param status             where it is or how it ended
 * @param parent             the version it trained from, name@version
 * @param version            the version it published, name@version
 * @param startedAt          when it started
 * @param finishedAt         when it ended
 * @param examples           examples consumed from examples.accepted
 * @param examplesByCategory new examples trained on or held out, per category
 * @param skipped            consumed but not trained on, per reason
 * @param train              training examples (replayed included)
 * @param replayed           of which replayed from earlier rounds
 * @param dev                dev split
 * @param epochs             epochs run
 * @param trainLoss          training loss of the kept epoch
 * @param devAccuracyBefore  the parent's dev accuracy
 * @param devAccuracy        the new version's dev accuracy
 * @param tokensPerSecond    training throughput
 * @param startOffsets       where the round's reading began, "topic-partition" to offset
 * @param endOffsets         the offsets it commits
 * @param error              why it failed
 * @param attempt            0 for a round's first training, n for its n-th retry after a rejection
 * @param decision           the decision on its version, in words, once made
 * @param learned            of its new training facts per category, how many its version answers
 * @param lineageLearned     the same over every fact trained on along the promoted lineage
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoundRecord(String id, RoundStatus status, String parent, String version, Instant startedAt,
                          Instant finishedAt, int examples, Map<Category, Integer> examplesByCategory,
                          Map<String, Integer> skipped, Integer train, Integer replayed, Integer dev, Integer epochs,
                          Double trainLoss, Double devAccuracyBefore, Double devAccuracy, Double tokensPerSecond,
                          Map<String, Long> startOffsets, Map<String, Long> endOffsets, String error, int attempt,
                          String decision, Map<Category, LearnedCount> learned, Map<Category, LearnedCount> lineageLearned) {

    public static RoundRecord started(String id, String parent, int examples, Map<String, Long> start,
                                      Map<String, Long> end, int attempt) {
        return new RoundRecord(id, RoundStatus.TRAINING, parent, null, Instant.now(), null, examples, null, null,
                null, null, null, null, null, null, null, null, start, end, null, attempt, null, null, null);
    }

    /** Published as a candidate: the decision on it is awaited. */
    public RoundRecord awaiting(String version, Map<Category, LearnedCount> learned,
                                Map<Category, LearnedCount> lineageLearned) {
        return new RoundRecord(id, RoundStatus.AWAITING_DECISION, parent, version, startedAt, null, examples,
                examplesByCategory, skipped, train, replayed, dev, epochs, trainLoss, devAccuracyBefore, devAccuracy,
                tokensPerSecond, startOffsets, endOffsets, error, attempt, decision, learned, lineageLearned);
    }

    /** Its version was decided on. */
    public RoundRecord decided(RoundStatus status, String decision) {
        return new RoundRecord(id, status, parent, version, startedAt, Instant.now(), examples, examplesByCategory,
                skipped, train, replayed, dev, epochs, trainLoss, devAccuracyBefore, devAccuracy, tokensPerSecond,
                startOffsets, endOffsets, error, attempt, decision, learned, lineageLearned);
    }

    public RoundRecord planned(RoundPlan plan) {
        return new RoundRecord(id, status, parent, version, startedAt, finishedAt, examples, plan.byCategory(),
                plan.skipped(), plan.train().size(), plan.replayed(), plan.dev().size(), epochs, trainLoss,
                devAccuracyBefore, devAccuracy, tokensPerSecond, startOffsets, endOffsets, error, attempt, decision,
                learned, lineageLearned);
    }

    public RoundRecord trained(int epochs, Double trainLoss, Double before, Double after, double tokensPerSecond) {
        return new RoundRecord(id, status, parent, version, startedAt, finishedAt, examples, examplesByCategory,
                skipped, train, replayed, dev, epochs, trainLoss, before, after, tokensPerSecond, startOffsets,
                endOffsets, error, attempt, decision, learned, lineageLearned);
    }

    public RoundRecord finished(RoundStatus status, String version, String error) {
        return new RoundRecord(id, status, parent, version, startedAt, Instant.now(), examples, examplesByCategory,
                skipped, train, replayed, dev, epochs, trainLoss, devAccuracyBefore, devAccuracy, tokensPerSecond,
                startOffsets, endOffsets, error, attempt, decision, learned, lineageLearned);
    }
}
