package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.categorize.model.LoadedModels;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.Topology;

/** The topology Quarkus' Kafka Streams extension runs. */
@ApplicationScoped
public class TopologyProducer {

    /** Picked up by Quarkus' Kafka Streams extension: the batch time budget is one per transaction. */
    @Produces
    @ApplicationScoped
    KafkaClientSupplier clientSupplier() {
        return new BudgetedClientSupplier();
    }

    @Produces
    Topology topology(CategorizeConfig config, LoadedModels live, MeterRegistry registry) {
        return CategorizeTopology.build(new BatchSettings(config.batch().size(), config.batch().maxWait(),
                        config.batch().probeMaxWait(), config.batch().maxFlushTime(), config.batch().acrossTasks()),
                new RoutingPolicy(config.routing().accept()), live, new CategorizeMetrics(registry, config.verdicts().metricVersions()),
                new VerdictRetention(config.verdicts().retention(), config.verdicts().sweepInterval()),
                new QuarantineRecheck(config.quarantine().recheck(), config.quarantine().recheckMaxPerVersion()));
    }
}
