package dev.knowgate.trainer.backend;


import java.util.List;

/**
 * What a backend trains on in one round.
 *
 * @param roundId the round
 * @param name    the lineage (registry name) of the version to produce
 * @param version its version number
 * @param train   training examples (new and replayed)
 * @param dev     the held-out dev split (early stopping)
 * @param retry   which training of the round this is, and how it differs from the configured one
 */
public record RoundDataset(String roundId, String name, long version, List<RoundExample> train,
                           List<RoundExample> dev, Retry retry) {

    /**
     * A retry of a round whose version was rejected trains the same examples again, held closer to
     * its parent.
     *
     * @param attempt           0 for a round's first training; n for its n-th retry
     * @param distillScale      self-distillation weight, times the configured one (1: as configured)
     * @param learningRateScale learning rate, times the configured one (1: as configured)
     */
    public record Retry(int attempt, double distillScale, double learningRateScale) {

        public static final Retry NONE = new Retry(0, 1, 1);

        public Retry {
            if (attempt < 0 || !(distillScale >= 1) || !(learningRateScale > 0 && learningRateScale <= 1)) {
                throw new IllegalArgumentException("a retry has attempt >= 0, distillScale >= 1 and learningRateScale in (0, 1]");
            }
        }
    }

    public RoundDataset {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
    }

    public RoundDataset(String roundId, String name, long version, List<RoundExample> train, List<RoundExample> dev) {
        this(roundId, name, version, train, dev, Retry.NONE);
    }
}
