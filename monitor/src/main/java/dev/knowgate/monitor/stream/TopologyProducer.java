package dev.knowgate.monitor.stream;

import dev.knowgate.monitor.MonitorConfig;
import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.monitor.gate.GateSettings;
import dev.knowgate.monitor.probing.ProbeSet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.Topology;

import java.io.IOException;

/** The topology Quarkus' Kafka Streams extension runs. */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    Topology topology(MonitorConfig config, ProbeSet probes) {
        return MonitorTopology.build(config.baselineVersion(), probes.probes().size(), flagSettings(config, probes),
                gateSettings(config), cusumSettings(config));
    }

    @Produces
    @Singleton
    ProbeSet probeSet(MonitorConfig config) throws IOException {
        return ProbeSet.from(config.probes());
    }

    public static FlagSettings flagSettings(MonitorConfig config, ProbeSet probes) {
        MonitorConfig.Flagging f = config.flagging();
        if (!(f.minCoverage() > 0 && f.minCoverage() <= 1)) {
            throw new IllegalArgumentException("knowgate.monitor.flagging.min-coverage must be in (0, 1], got " + f.minCoverage());
        }
        int minProbes = (int) Math.ceil(f.minCoverage() * probes.probes().size());
        return FlagSettings.builder().minProbes(minProbes).forgettingMargin(f.forgettingMargin())
                .trendVersions(f.trendVersions()).trendMinPoints(f.trendMinPoints()).trendSlope(f.trendSlope()).build();
    }

    public static GateSettings gateSettings(MonitorConfig config) {
        MonitorConfig.Gate g = config.gate();
        return GateSettings.builder().enabled(g.enabled()).maxForgetting(g.maxForgetting())
                .maxAccuracyDrop(g.maxAccuracyDrop()).evaluationTimeout(g.evaluationTimeout()).build();
    }

    public static CusumSettings cusumSettings(MonitorConfig config) {
        MonitorConfig.UnknownShare u = config.unknownShare();
        return CusumSettings.builder().window(u.window()).minExamples(u.minExamples()).target(u.target().orElse(-1.0))
                .warmupWindows(u.warmupWindows()).slack(u.slack()).threshold(u.threshold()).keepWindows(u.keepWindows())
                .build();
    }
}
