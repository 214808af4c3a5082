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
        return new FlagSettings(minProbes, f.forgettingMargin(), f.trendVersions(), f.trendMinPoints(), f.trendSlope());
    }

    public static GateSettings gateSettings(MonitorConfig config) {
        MonitorConfig.Gate g = config.gate();
        return new GateSettings(g.enabled(), g.maxForgetting(), g.maxAccuracyDrop(), g.evaluationTimeout());
    }

    public static CusumSettings cusumSettings(MonitorConfig config) {
        MonitorConfig.UnknownShare u = config.unknownShare();
        return new CusumSettings(u.window(), u.minExamples(), u.target().orElse(-1.0), u.warmupWindows(), u.slack(),
                u.threshold(), u.keepWindows());
    }
}
