package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.trainer.backend.RoundExample;

import java.util.List;
import java.util.Map;

/**
 * What a round trains on, decided by {@link RoundMixer}.
 *
 * @param train      new examples and replayed ones
 * @param dev        held-out new examples (early stopping)
 * @param byCategory new examples (train and dev) per category
 * @param skipped    examples consumed but not trained on, per reason (category_excluded, category_capped, ...)
 */
public record RoundPlan(List<RoundExample> train, List<RoundExample> dev, Map<Category, Integer> byCategory,
                        Map<String, Integer> skipped) {

    public RoundPlan {
        train = List.copyOf(train);
        dev = List.copyOf(dev);
        byCategory = Map.copyOf(byCategory);
        skipped = Map.copyOf(skipped);
    }

    /** The ids of the released examples it trains on (new knowledge a curator asked for). */
    public List<String> released() {
        return train.stream().filter(e -> e.released() && !e.replay()).map(RoundExample::id).toList();
    }

    public int replayed() {
        return (int) train.stream().filter(RoundExample::replay).count();
    }

    public boolean isEmpty() {
        return train.isEmpty();
    }
}
