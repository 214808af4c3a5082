package dev.knowgate.trainer.backend;

import dev.knowgate.trainer.round.RoundExample;

import java.util.List;

/**
 * What a backend trains on in one round.
 *
 * @param roundId the round
 * @param name    the lineage (registry name) of the version to produce
 * @param version its version number
 * @param train   training examples (new and replayed)
 * @param dev     the held-out dev split (early stopping)
 * @param attempt 0 for a round's first training; n for its n-th retry after its version was rejected
 * @param distillScale how much stronger self-distillation should be than configured (1 on a first
 *                training; the retry factor to the power of the attempt on a retry)
 */
public record RoundDataset(String roundId, String name, long version, List<RoundExample> train,
                           List<RoundExample> dev, int attempt, double distillScale) {

    public RoundDataset {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
        if (attempt < 0 || !(distillScale >= 1)) {
            throw new IllegalArgumentException("attempt must be >= 0 and distillScale >= 1");
        }
    }

    public RoundDataset(String roundId, String name, long version, List<RoundExample> train, List<RoundExample> dev) {
        this(roundId, name, version, train, dev, 0, 1);
    }
}
