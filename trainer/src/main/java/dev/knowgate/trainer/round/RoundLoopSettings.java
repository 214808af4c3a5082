package dev.knowgate.trainer.round;

import io.soabase.recordbuilder.core.RecordBuilder;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link RoundLoop} reads and writes, and when a round is due (knowgate.trainer.round.*, docs/trainer.md).
 *
 * @param acceptedTopic  where the examples to train on are read (examples.accepted)
 * @param groupId        the consumer group
 * @param instanceId     static group membership id of this trainer instance
 * @param initialModel   the base model folder, registered and announced when the models topic has none
 * @param minExamples    trainable examples that make a round
 * @param maxExamples    examples a round takes at most
 * @param maxWait        how long the oldest pending example waits at most
 * @param startPaused    start without consuming (resume through the API)
 * @param decisionsTopic where the monitor's decisions are read (models.decisions)
 * @param parkedTopic    where a rejected round's examples are parked (examples.parked)
 * @param gate           what a rejection leads to
 * @param releasedTopic  where released examples are read (examples.released), beside acceptedTopic
 * @param releasedShare  the most released examples (curators' new knowledge) may make up of a round's trainable ones
 * @param quarantineDecisionsTopic where released examples of a parked round are returned to the queue (quarantine.decisions)
 */
@RecordBuilder
@RecordBuilder.Options(builderMode = RecordBuilder.BuilderMode.STAGED)
public record RoundLoopSettings(String acceptedTopic, String groupId, String instanceId, Path initialModel,
                                int minExamples, int maxExamples, Duration maxWait, boolean startPaused,
                                String decisionsTopic, String parkedTopic, GatePolicy gate, String releasedTopic, double releasedShare,
                                String quarantineDecisionsTopic) {

    public RoundLoopSettings {
        if (!(releasedShare >= 0 && releasedShare <= 0.9)) {
            throw new IllegalArgumentException("knowgate.trainer.released.budget must be in [0, 0.9], got " + releasedShare);
        }
    }

    /**
     * Settings by name, not by position (five of them are strings and two are counts):
     * every one in order, the compiler refusing {@code build()} until all are given.
     */
    public static RoundLoopSettingsBuilder.AcceptedTopicStage builder() {
        return RoundLoopSettingsBuilder.builder();
    }
}
