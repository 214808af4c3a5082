package dev.knowgate.contracts.kafka;

import dev.knowgate.contracts.topic.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Creates the topics that are missing and checks the ones that exist. Safe to run from every
 * service at every start, concurrently: a topic created by someone else in between counts as existing.
 *
 * <p>Existing topics are never altered. Drift is reported; drift that would break an invariant
 * (a compacted topic that is not compacted would delete model versions) is an error.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final Admin admin;
    private final Optional<Short> replicationFactor;
    private final Duration timeout;

    /** Creates topics with {@code replicationFactor} replicas. */
    public TopicProvisioner(Admin admin, short replicationFactor, Duration timeout) {
        this(admin, Optional.of(replicationFactor), timeout);
    }

    /**
     * @param replicationFactor replicas of the topics created; empty leaves it to the broker's
     *                          {@code default.replication.factor}, so a real cluster's own setting
     *                          applies rather than a single replica nobody chose
     */
    public TopicProvisioner(Admin admin, Optional<Short> replicationFactor, Duration timeout) {
        if (replicationFactor.isPresent() && replicationFactor.get() < 1) {
            throw new IllegalArgumentException("replication factor must be >= 1");
        }
        this.admin = admin;
        this.replicationFactor = replicationFactor;
        this.timeout = timeout;
    }

    /** What one provisioning pass found. */
    public record Report(List<String> created, List<String> existing, List<String> warnings) {
        public Report {
            created = List.copyOf(created);
            existing = List.copyOf(existing);
            warnings = List.copyOf(warnings);
        }
    }

    public Report ensure(Collection<TopicSpec> specs) {
        List<NewTopic> requests = specs.stream()
                .map(s -> new NewTopic(s.name(), Optional.of(s.partitions()), replicationFactor).configs(s.allConfigs()))
                .toList();
        CreateTopicsResult result = admin.createTopics(requests);
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (TopicSpec spec : specs) {
            try {
                await(result.values().get(spec.name()));
                created.add(spec.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new TopicProvisioningException("could not create topic " + spec.name() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                existing.add(spec.name());
            }
        }
        List<String> warnings = existing.isEmpty() ? List.of()
                : check(specs.stream().filter(s -> existing.contains(s.name())).toList());
        warnings.forEach(LOG::warn);
        if (!created.isEmpty()) {
            LOG.info("created topics {}", created);
        }
        return new Report(created, existing, warnings);
    }

    private List<String> check(List<TopicSpec> specs) {
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions = describe(names, () -> admin.describeTopics(names).allTopicNames());
        Map<ConfigResource, Config> configs = describe(names, () -> admin.describeConfigs(names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all());
        List<String> warnings = new ArrayList<>();
        for (TopicSpec spec : specs) {
            int partitions = descriptions.get(spec.name()).partitions().size();
            if (partitions != spec.partitions()) {
                warnings.add("topic " + spec.name() + " has " + partitions + " partitions, the catalogue says "
                        + spec.partitions() + " (left as it is: changing it would move keys)");
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            String policy = value(config, TopicSpec.CLEANUP_POLICY);
            if (spec.compacted() && (policy == null || !policy.contains("compact"))) {
                throw new TopicProvisioningException("topic " + spec.name() + " must be compacted but has "
                        + TopicSpec.CLEANUP_POLICY + "=" + policy);
            }
            String drift = spec.configs().entrySet().stream()
                    .filter(e -> !e.getValue().equals(value(config, e.getKey())))
                    .map(e -> e.getKey() + "=" + value(config, e.getKey()) + " (expected " + e.getValue() + ")")
                    .collect(Collectors.joining(", "));
            if (!drift.isEmpty()) {
                warnings.add("topic " + spec.name() + " differs from the catalogue: " + drift);
            }
        }
        return warnings;
    }

    /**
     * A topic that another service created a moment ago may not have reached this broker's metadata
     * yet; that is retriable until the timeout, anything else is not.
     */
    private <T> T describe(List<String> names, Supplier<KafkaFuture<T>> call) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return await(call.get());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new TopicProvisioningException("could not describe topics " + names + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                sleep(RETRY_PAUSE);
            }
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException("interrupted while provisioning topics", e);
        }
    }

    private static String value(Config config, String key) {
        ConfigEntry entry = config == null ? null : config.get(key);
        return entry == null ? null : entry.value();
    }

    private <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException("interrupted while provisioning topics", e);
        } catch (TimeoutException e) {
            throw new TopicProvisioningException("broker did not answer within " + timeout, e);
        }
    }
}
