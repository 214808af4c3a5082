package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.categorize.model.LiveModel;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.Topology;

/** The topology Quarkus' Kafka Streams extension runs. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(CategorizeConfig config, LiveModel live, MeterRegistry registry) {
        return CategorizeTopology.build(new BatchSettings(config.batch().size(), config.batch().maxWait()),
                new RoutingPolicy(config.routing().accept()), live, new CategorizeMetrics(registry));
    }
}
