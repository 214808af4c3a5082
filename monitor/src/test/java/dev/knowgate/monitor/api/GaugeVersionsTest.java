package dev.knowgate.monitor.api;

import dev.knowgate.monitor.rates.VersionRates;
import dev.knowgate.monitor.rates.VersionStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-version gauges are bounded: the newest versions of each model, and the live one. */
class GaugeVersionsTest {

    private static VersionRates version(String model, long v, boolean live) {
        return new VersionRates(model, v, model + "@" + v, v == 1 ? null : v - 1, v == 1 ? VersionStatus.BASE : VersionStatus.PROMOTED,
                live, 1, 300, 300, 0.9, 0.01, 200, 2, Map.of(), Instant.EPOCH, "eval-" + v, null, null);
    }

    @Test
    void theNewestVersionsOfEachModelAndTheLiveOneAreExported() {
        List<VersionRates> versions = new ArrayList<>();
        for (long v = 1; v <= 25; v++) {
            versions.add(version("knowgate-base", v, v == 3)); // v3 live: later versions were all rejected
        }
        versions.add(version("other", 1, true));
        versions.add(version("other", 2, false));

        assertThat(MonitorGauges.exported(versions, 10)).containsExactlyInAnyOrder(
                "knowgate-base@16", "knowgate-base@17", "knowgate-base@18", "knowgate-base@19", "knowgate-base@20",
                "knowgate-base@21", "knowgate-base@22", "knowgate-base@23", "knowgate-base@24", "knowgate-base@25",
                "knowgate-base@3", "other@1", "other@2");
    }
}
