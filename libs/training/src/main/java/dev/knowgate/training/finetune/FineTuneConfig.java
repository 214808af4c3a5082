package dev.knowgate.training.finetune;

/**
 * One round's optimisation settings.
 *
 * @param epochs         passes over the round's examples at most
 * @param batchSize      examples per step
 * @param lr             AdamW learning rate (constant within a round)
 * @param weightDecay    AdamW decoupled weight decay
 * @param distillLambda  weight of KL(teacher || student) on the answer positions; 0 turns
 *                       self-distillation off (Kaplan et al. 2026)
 * @param frozen         parameter groups left untouched
 * @param patience       epochs without a better dev accuracy before stopping early
 * @param seed           shuffling
 */
public record FineTuneConfig(int epochs, int batchSize, float lr, float weightDecay, double distillLambda,
                             FrozenGroups frozen, int patience, long seed) {

    public FineTuneConfig {
        if (epochs < 1 || batchSize < 1 || !(lr > 0) || weightDecay < 0 || !(distillLambda >= 0) || patience < 1) {
            throw new IllegalArgumentException("invalid fine-tuning settings");
        }
    }

    public FineTuneConfig withDistillLambda(double lambda) {
        return new FineTuneConfig(epochs, batchSize, lr, weightDecay, lambda, frozen, patience, seed);
    }

    public FineTuneConfig withLearningRate(float learningRate) {
        return new FineTuneConfig(epochs, batchSize, learningRate, weightDecay, distillLambda, frozen, patience, seed);
    }

    public FineTuneConfig withFrozen(FrozenGroups groups) {
        return new FineTuneConfig(epochs, batchSize, lr, weightDecay, distillLambda, groups, patience, seed);
    }
}
