package dev.knowgate.contracts.topic;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One topic of the pipeline as the services expect to find it.
 *
 * @param name       topic name
 * @param partitions partition count at creation (never changed afterwards: it would move keys)
 * @param compacted  cleanup.policy=compact (latest value per key kept) rather than delete
 * @param configs    further topic configs, e.g. retention.ms
 * @param purpose    one line for docs and logs
 */
public record TopicSpec(String name, int partitions, boolean compacted, Map<String, String> configs, String purpose) {

    public static final String CLEANUP_POLICY = "cleanup.policy";

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1");
        }
        configs = Map.copyOf(configs);
        if (configs.containsKey(CLEANUP_POLICY)) {
            throw new IllegalArgumentException("topic " + name + ": set cleanup.policy through 'compacted'");
        }
    }

    public String cleanupPolicy() {
        return compacted ? "compact" : "delete";
    }

    /** Every config the topic is created with, cleanup.policy included, in a stable order. */
    public Map<String, String> allConfigs() {
        Map<String, String> all = new TreeMap<>(configs);
        all.put(CLEANUP_POLICY, cleanupPolicy());
        return all;
    }
}
