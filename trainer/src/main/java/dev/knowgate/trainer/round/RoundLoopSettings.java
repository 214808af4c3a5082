package dev.knowgate.trainer.round;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

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
 */
public record RoundLoopSettings(String acceptedTopic, String groupId, String instanceId, Path initialModel,
                                int minExamples, int maxExamples, Duration maxWait, boolean startPaused,
                                String decisionsTopic, String parkedTopic, GatePolicy gate) {

    /** Settings by name, not by position: five of them are strings and two are counts. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting must be given: a missing one is a {@link NullPointerException} naming it. */
    public static final class Builder {
        private String acceptedTopic;
        private String groupId;
        private String instanceId;
        private Path initialModel;
        private Integer minExamples;
        private Integer maxExamples;
        private Duration maxWait;
        private Boolean startPaused;
        private String decisionsTopic;
        private String parkedTopic;
        private GatePolicy gate;

        private Builder() {
        }

        public Builder acceptedTopic(String acceptedTopic) {
            this.acceptedTopic = acceptedTopic;
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder initialModel(Path initialModel) {
            this.initialModel = initialModel;
            return this;
        }

        public Builder minExamples(int minExamples) {
            this.minExamples = minExamples;
            return this;
        }

        public Builder maxExamples(int maxExamples) {
            this.maxExamples = maxExamples;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        public Builder startPaused(boolean startPaused) {
            this.startPaused = startPaused;
            return this;
        }

        public Builder decisionsTopic(String decisionsTopic) {
            this.decisionsTopic = decisionsTopic;
            return this;
        }

        public Builder parkedTopic(String parkedTopic) {
            this.parkedTopic = parkedTopic;
            return this;
        }

        public Builder gate(GatePolicy gate) {
            this.gate = gate;
            return this;
        }

        public RoundLoopSettings build() {
            return new RoundLoopSettings(Objects.requireNonNull(acceptedTopic, "acceptedTopic"),
                    Objects.requireNonNull(groupId, "groupId"),
                    Objects.requireNonNull(instanceId, "instanceId"),
                    Objects.requireNonNull(initialModel, "initialModel"),
                    Objects.requireNonNull(minExamples, "minExamples"),
                    Objects.requireNonNull(maxExamples, "maxExamples"),
                    Objects.requireNonNull(maxWait, "maxWait"),
                    Objects.requireNonNull(startPaused, "startPaused"),
                    Objects.requireNonNull(decisionsTopic, "decisionsTopic"),
                    Objects.requireNonNull(parkedTopic, "parkedTopic"),
                    Objects.requireNonNull(gate, "gate"));
        }
    }
}
