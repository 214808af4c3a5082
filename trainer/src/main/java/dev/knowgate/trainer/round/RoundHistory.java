package dev.knowgate.trainer.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rounds this trainer ran or recovered since it started, newest last; bounded. */
public final class RoundHistory {

    private static final int KEEP = 500;
    private final Map<String, RoundRecord> rounds = new LinkedHashMap<>();

    public synchronized void put(RoundRecord record) {
        rounds.put(record.id(), record);
        while (rounds.size() > KEEP) {
            rounds.remove(rounds.keySet().iterator().next());
        }
    }

    public synchronized Optional<RoundRecord> get(String id) {
        return Optional.ofNullable(rounds.get(id));
    }

    /** Newest first. */
    public synchronized List<RoundRecord> newestFirst() {
        List<RoundRecord> list = new ArrayList<>(rounds.values());
        java.util.Collections.reverse(list);
        return list;
    }
}
