package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.contracts.Timings;
import dev.knowgate.contracts.Verdict;
import dev.knowgate.contracts.json.JsonSerde;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.monitor.rates.LineageProbes;
import dev.knowgate.monitor.rates.RateCalculator;
import dev.knowgate.monitor.rates.VersionRates;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Rates and flagging on the real topology (TopologyTestDriver): rising, flat, noisy, recovered, change point. */
class MonitorTopologyTest {

    static final String MODEL = "knowgate-base";
    static final int PROBES = 100;
    static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    TopologyTestDriver driver;
    TestInputTopic<String, ProbeResult> results;
    TestInputTopic<String, CategorizedExample> categorized;
    TestInputTopic<String, byte[]> rawResults;
    TestOutputTopic<String, Alert> alerts;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "monitor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        driver = new TopologyTestDriver(MonitorTopology.build(1, new FlagSettings(PROBES, 0.05, 5, 3, 0.02),
                new CusumSettings(Duration.ofMinutes(1), 20, -1, 5, 0.05, 0.3, 100)), props);
        results = driver.createInputTopic(Topics.PROBES_RESULTS.name(), new StringSerializer(),
                JsonSerde.of(ProbeResult.class).serializer());
        rawResults = driver.createInputTopic(Topics.PROBES_RESULTS.name(), new StringSerializer(),
                Serdes.ByteArray().serializer());
        categorized = driver.createInputTopic(Topics.EXAMPLES_CATEGORIZED.name(), new StringSerializer(),
                JsonSerde.of(CategorizedExample.class).serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(),
                JsonSerde.of(Alert.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Version {@code v}: every probe HighlyKnown and right, except the first {@code wrong} ones. */
    private void version(long v, int wrong) {
        for (int p = 0; p < PROBES; p++) {
            boolean right = p >= wrong;
            results.pipeInput("probe-" + p, new ProbeResult("probe-" + p, "eval-" + v, MODEL, v,
                    right ? Category.HIGHLY_KNOWN : Category.UNKNOWN, right ? 1 : 0, right ? 1 : 0, right,
                    T0.plusSeconds(60 * v)), T0.plusSeconds(60 * v));
        }
    }

    private List<VersionRates> rates() {
        KeyValueStore<String, LineageProbes> store = driver.getKeyValueStore(MonitorTopology.LINEAGE_STORE);
        return RateCalculator.rates(store.get(MODEL), 1);
    }

    @Test
    void ratesPerVersionAgainstTheBaseline() {
        version(1, 0);
        version(2, 7);
        List<VersionRates> r = rates();
        assertThat(r).extracting(VersionRates::key).containsExactly("knowgate-base@1", "knowgate-base@2");
        VersionRates v2 = r.get(1);
        assertThat(v2.probes()).isEqualTo(PROBES);
        assertThat(v2.accuracy()).isEqualTo(0.93);
        assertThat(v2.knownAtBaseline()).isEqualTo(100);
        assertThat(v2.forgotten()).isEqualTo(7);
        assertThat(v2.forgettingRate()).isEqualTo(0.07);
        assertThat(v2.transitions().get(Category.HIGHLY_KNOWN))
                .containsEntry(Category.HIGHLY_KNOWN, 93).containsEntry(Category.UNKNOWN, 7);
        assertThat(r.get(0).forgettingRate()).isZero();
    }

    @Test
    void risingForgettingFiresBaselineAndTrendAlertsOnce() {
        version(1, 0);
        version(2, 3);
        assertThat(alerts.readValuesToList()).isEmpty();
        version(3, 8); // 8% > 0% + 5 points; slope over v1..v3 = 4 points per version
        version(4, 12);
        version(4, 12); // a re-probe of v4: same condition, no second alert
        List<Alert> fired = alerts.readValuesToList();
        assertThat(fired).extracting(Alert::kind).containsExactlyInAnyOrder(AlertKind.BASELINE_EXCEEDED, AlertKind.RISING_TREND);
        assertThat(fired).allSatisfy(a -> assertThat(a.status()).isEqualTo(AlertStatus.FIRING));
        Alert baseline = fired.stream().filter(a -> a.kind() == AlertKind.BASELINE_EXCEEDED).findFirst().orElseThrow();
        assertThat(baseline.modelVersion()).isEqualTo(3L);
        assertThat(baseline.value()).isEqualTo(0.08);
        assertThat(baseline.baseline()).isZero();
        assertThat(baseline.threshold()).isEqualTo(0.05);
        assertThat(baseline.evidence()).extracting(e -> e.label()).containsExactly("knowgate-base@1", "knowgate-base@3");
        assertThat(baseline.id()).isEqualTo("baseline_exceeded-forgetting_rate-knowgate-base-1");
        Alert trend = fired.stream().filter(a -> a.kind() == AlertKind.RISING_TREND).findFirst().orElseThrow();
        assertThat(trend.value()).isGreaterThan(0.02);
        assertThat(trend.evidence()).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void aFlatRateFiresNothing() {
        version(1, 0);
        for (long v = 2; v <= 7; v++) {
            version(v, 2);
        }
        assertThat(alerts.readValuesToList()).isEmpty();
    }

    @Test
    void noiseWithOneOutlierIsNotATrend() {
        version(1, 0);
        int[] wrong = {2, 0, 4, 1, 2, 0, 3};
        for (int i = 0; i < wrong.length; i++) {
            version(i + 2, wrong[i]);
        }
        assertThat(alerts.readValuesToList()).isEmpty();
    }

    @Test
    void anAlertResolvesWhenTheRateIsBackUnderItsThreshold() {
        version(1, 0);
        version(2, 10);
        version(3, 1);
        List<Alert> all = alerts.readValuesToList();
        List<Alert> baseline = all.stream().filter(a -> a.kind() == AlertKind.BASELINE_EXCEEDED).toList();
        assertThat(baseline).extracting(Alert::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(baseline.get(1).id()).isEqualTo(baseline.get(0).id());
        assertThat(baseline.get(1).resolvedAt()).isNotNull();
        version(4, 11); // it fires again: a new alert, with a new id
        List<Alert> again = alerts.readValuesToList();
        assertThat(again).filteredOn(a -> a.kind() == AlertKind.BASELINE_EXCEEDED)
                .extracting(Alert::id).containsExactly("baseline_exceeded-forgetting_rate-knowgate-base-2");
    }

    @Test
    void aRecordThatIsNotAProbeResultIsSkippedAndTheStreamGoesOn() {
        rawResults.pipeInput("x", "{not json".getBytes(StandardCharsets.UTF_8));
        version(1, 0);
        version(2, 9);
        assertThat(alerts.readValuesToList()).extracting(Alert::kind).contains(AlertKind.BASELINE_EXCEEDED);
    }

    @Test
    void aJumpInTheUnknownShareOfIncomingExamplesIsAChangePointAndResolves() {
        int minute = 0;
        for (; minute < 6; minute++) {
            window(minute, 40, 8); // 20% Unknown: the target is learned from the first 5 windows
        }
        assertThat(alerts.readValuesToList()).isEmpty();
        window(minute++, 40, 24); // 60%
        window(minute++, 40, 8); // closes the 60% window
        List<Alert> fired = alerts.readValuesToList();
        assertThat(fired).hasSize(1);
        Alert a = fired.get(0);
        assertThat(a.kind()).isEqualTo(AlertKind.CHANGE_POINT);
        assertThat(a.metric()).isEqualTo("unknown_share");
        assertThat(a.modelVersion()).isNull();
        assertThat(a.baseline()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(a.evidence().get(a.evidence().size() - 1).value()).isEqualTo(0.6);
        window(minute++, 40, 8);
        window(minute++, 40, 8);
        List<Alert> resolved = alerts.readValuesToList();
        assertThat(resolved).extracting(Alert::status).containsExactly(AlertStatus.RESOLVED);
        assertThat(resolved.get(0).id()).isEqualTo(a.id());

        KeyValueStore<String, MixWindow> mix = driver.getKeyValueStore(MonitorTopology.MIX_STORE);
        MixWindow seventh = mix.get(IncomingMixProcessor.windowKey(MODEL, T0.plusSeconds(6 * 60).toEpochMilli()));
        assertThat(seventh.total()).isEqualTo(40);
        assertThat(seventh.counts()).containsEntry(Category.UNKNOWN, 24);
        assertThat(seventh.unknownShare()).isEqualTo(0.6);
    }

    @Test
    void smallWindowsAreCountedButNotTested() {
        for (int minute = 0; minute < 6; minute++) {
            window(minute, 40, 8);
        }
        window(6, 5, 5); // 100% Unknown, but only 5 examples
        window(7, 40, 8);
        assertThat(alerts.readValuesToList()).isEmpty();
    }

    /** {@code n} categorized examples in the minute, {@code unknown} of them Unknown; probes are ignored. */
    private void window(int minute, int n, int unknown) {
        Instant at = T0.plusSeconds(60L * minute + 1);
        for (int i = 0; i < n; i++) {
            Category c = i < unknown ? Category.UNKNOWN : Category.MAYBE_KNOWN;
            String id = "ex-m" + minute + "-" + i;
            categorized.pipeInput(id, example(id, c, Purpose.TRAINING), at);
        }
        categorized.pipeInput("probe-x", example("probe-x" + minute, Category.UNKNOWN, Purpose.PROBE), at);
    }

    private static CategorizedExample example(String id, Category c, Purpose purpose) {
        Example e = new Example(1, id, "Where was X born?", "Y", List.of(), "birthplace", "X", null, null, null, purpose);
        Verdict v = new Verdict(id, MODEL, 1, c, c == Category.UNKNOWN ? 0 : 0.5, 0.5, SlickMethod.EXACT, 10, 4, 16, 0.5,
                40, "birthplace", false, new Timings(0, 0, 0), T0);
        return new CategorizedExample(e, v, purpose == Purpose.PROBE ? Route.PROBE
                : c == Category.UNKNOWN ? Route.QUARANTINED : Route.ACCEPTED);
    }
}
