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
 */
public record RoundDataset(String roundId, String name, long version, List<RoundExample> train,
                           List<RoundExample> dev) {

    public RoundDataset {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
    }
}
