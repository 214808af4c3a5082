package dev.knowgate.monitor.stream;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.contracts.Timings;
import dev.knowgate.contracts.Verdict;
import dev.knowgate.contracts.kafka.JsonSerde;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.monitor.flagging.CusumSettings;
import dev.knowgate.monitor.flagging.FlagSettings;
import dev.knowgate.contracts.DecisionStatus;
import dev.knowgate.contracts.ModelDecision;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.monitor.gate.GateSettings;
import dev.knowgate.monitor.rates.LineageState;
import dev.knowgate.monitor.rates.VersionStatus;
import dev.knowgate.testing.TestStateDir;
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

/**
 * Rates, the promotion gate and flagging on the real topology (TopologyTestDriver): candidates
 * promoted or rejected on their whole evaluation, stalled ones rejected, operators' decisions in
 * force; rising, flat, noisy, recovered forgetting on served versions; change point.
 */
class MonitorTopologyTest {

    static final String MODEL = "knowgate-base";
    static final int PROBES = 100;
    static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    TopologyTestDriver driver;
    TestInputTopic<String, ProbeResult> results;
    TestInputTopic<String, CategorizedExample> categorized;
    TestInputTopic<String, byte[]> rawResults;
    TestInputTopic<String, ModelVersion> models;
    TestInputTopic<String, ModelDecision> decisionsIn;
    TestOutputTopic<String, Alert> alerts;
    TestOutputTopic<String, ModelDecision> decisions;

    /** The detectors' tests run with the gate off: every version is promoted as it is announced. */
    @BeforeEach
    void start() {
        start(GateSettings.builder().enabled(false).maxForgetting(0.03).maxAccuracyDrop(0.05).evaluationTimeout(Duration.ofMinutes(15)).build());
    }

    void start(GateSettings gate) {
        if (driver != null) {
            driver.close();
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "monitor-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.create("monitor-test").toString());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DEFAULT_DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        driver = new TopologyTestDriver(MonitorTopology.build(1, PROBES, FlagSettings.builder().minProbes(PROBES).forgettingMargin(0.05).trendVersions(5).trendMinPoints(3).trendSlope(0.02).build(), gate,
                CusumSettings.builder().window(Duration.ofMinutes(1)).minExamples(20).target(-1).warmupWindows(5).slack(0.05)
                        .threshold(0.3).keepWindows(100).build()), props, T0);
        results = driver.createInputTopic(Topics.PROBES_RESULTS.name(), new StringSerializer(),
                JsonSerde.of(ProbeResult.class).serializer());
        rawResults = driver.createInputTopic(Topics.PROBES_RESULTS.name(), new StringSerializer(),
                Serdes.ByteArray().serializer());
        categorized = driver.createInputTopic(Topics.EXAMPLES_CATEGORIZED.name(), new StringSerializer(),
                JsonSerde.of(CategorizedExample.class).serializer());
        models = driver.createInputTopic(Topics.MODELS.name(), new StringSerializer(),
                JsonSerde.of(ModelVersion.class).serializer());
        decisionsIn = driver.createInputTopic(Topics.MODELS_DECISIONS.name(), new StringSerializer(),
                JsonSerde.of(ModelDecision.class).serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(),
                JsonSerde.of(Alert.class).deserializer());
        decisions = driver.createOutputTopic(Topics.MODELS_DECISIONS.name(), Serdes.String().deserializer(),
                JsonSerde.of(ModelDecision.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Version {@code v} announced, then every probe answered: HighlyKnown and right, except the first {@code wrong} ones. */
    private void version(long v, int wrong) {
        announce(v);
        answer(v, wrong, PROBES);
    }

    private void announce(long v) {
        Instant at = T0.plusSeconds(60 * v - 30);
        models.pipeInput(MODEL + "@" + v, new ModelVersion(SchemaVersions.CURRENT, MODEL, v, v == 1 ? null : v - 1,
                "knowgate-gpt", List.of(new ModelFile("model.onnx", "a".repeat(64), 1)), "Q: {question}\nA:", "\n", at,
                null, "/registry/" + v), at);
    }

    /** The first {@code count} probes of version {@code v}'s evaluation. */
    private void answer(long v, int wrong, int count) {
        for (int p = 0; p < count; p++) {
            boolean right = p >= wrong;
            results.pipeInput("probe-" + p, new ProbeResult("probe-" + p, "eval-" + v, MODEL, v,
                    right ? Category.HIGHLY_KNOWN : Category.UNKNOWN, right ? 1 : 0, right ? 1 : 0, right,
                    T0.plusSeconds(60 * v)), T0.plusSeconds(60 * v));
        }
    }

    private List<VersionRates> rates() {
        KeyValueStore<String, LineageState> store = driver.getKeyValueStore(MonitorTopology.LINEAGE_STORE);
        return RateCalculator.rates(store.get(MODEL), 1, PROBES);
    }

    private static GateSettings gateOn() {
        return GateSettings.builder().enabled(true).maxForgetting(0.03).maxAccuracyDrop(0.05).evaluationTimeout(Duration.ofMinutes(15)).build();
    }

    @Test
    void aCandidateIsDecidedOnlyOnItsWholeEvaluationAndPromotedWithinTheGate() {
        start(gateOn());
        version(1, 0);
        assertThat(decisions.readValuesToList()).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("knowgate-base@1");
            assertThat(d.status()).isEqualTo(DecisionStatus.PROMOTED);
            assertThat(d.reason()).contains("base");
        });
        announce(2);
        answer(2, 3, PROBES - 1);
        assertThat(decisions.isEmpty()).as("99 of 100 probes: no decision yet").isTrue();
        assertThat(rates().get(1).status()).isEqualTo(VersionStatus.CANDIDATE);
        answer(2, 3, PROBES);
        ModelDecision d = decisions.readValue();
        assertThat(d.key()).isEqualTo("knowgate-base@2");
        assertThat(d.status()).isEqualTo(DecisionStatus.PROMOTED);
        assertThat(d.decidedBy()).isEqualTo("monitor");
        assertThat(d.evidence().probesAnswered()).isEqualTo(PROBES);
        assertThat(d.evidence().probesTotal()).isEqualTo(PROBES);
        assertThat(d.evidence().forgettingRate()).isEqualTo(0.03);
        assertThat(d.evidence().maxForgettingRate()).isEqualTo(0.03);
        assertThat(d.evidence().evaluationId()).isEqualTo("eval-2");
        assertThat(d.reason()).contains("forgets 3.0% (3 of 100)", "within the gate's 3.0%");
        answer(2, 3, PROBES); // a re-probe changes nothing that was decided
        assertThat(decisions.isEmpty()).isTrue();
        VersionRates v2 = rates().get(1);
        assertThat(v2.status()).isEqualTo(VersionStatus.PROMOTED);
        assertThat(v2.live()).isTrue();
        assertThat(rates().get(0).live()).isFalse();
    }

    @Test
    void aCandidateForgettingMoreThanTheGateIsRejectedNeverLiveAndAlertedUntilTheNextPromotion() {
        start(gateOn());
        version(1, 0);
        version(2, 4); // 4% > 3%
        List<ModelDecision> made = decisions.readValuesToList();
        assertThat(made).extracting(ModelDecision::key, ModelDecision::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("knowgate-base@1", DecisionStatus.PROMOTED),
                org.assertj.core.groups.Tuple.tuple("knowgate-base@2", DecisionStatus.REJECTED));
        assertThat(made.get(1).reason()).contains("above the gate's 3.0%");
        assertThat(rates()).filteredOn(VersionRates::live).extracting(VersionRates::version).containsExactly(1L);
        Alert rejected = alerts.readValuesToList().stream().filter(a -> a.kind() == AlertKind.CANDIDATE_REJECTED)
                .findFirst().orElseThrow();
        assertThat(rejected.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(rejected.modelVersion()).isEqualTo(2L);
        assertThat(rejected.value()).isEqualTo(0.04);
        assertThat(rejected.threshold()).isEqualTo(0.03);
        assertThat(rejected.message()).contains("knowgate-base@2 was rejected and never served");

        version(3, 6); // rejected too: the same alert moves to v3
        Alert moved = alerts.readValuesToList().stream().filter(a -> a.kind() == AlertKind.CANDIDATE_REJECTED)
                .findFirst().orElseThrow();
        assertThat(moved.id()).isEqualTo(rejected.id());
        assertThat(moved.status()).isEqualTo(AlertStatus.FIRING);
        assertThat(moved.modelVersion()).isEqualTo(3L);
        assertThat(moved.value()).isEqualTo(0.06);

        version(4, 1); // promoted: the rejection alert resolves
        assertThat(alerts.readValuesToList()).filteredOn(a -> a.kind() == AlertKind.CANDIDATE_REJECTED)
                .extracting(Alert::status).containsExactly(AlertStatus.RESOLVED);
        assertThat(rates()).filteredOn(VersionRates::live).extracting(VersionRates::version).containsExactly(4L);
        // Baseline and trend detectors watch served versions only: the rejected ones fired nothing.
        assertThat(alerts.readValuesToList()).isEmpty();
    }

    @Test
    void aCandidateWhoseEvaluationStallsIsRejectedAfterTheTimeout() {
        start(GateSettings.builder().enabled(true).maxForgetting(0.03).maxAccuracyDrop(0.05).evaluationTimeout(Duration.ofMinutes(2)).build());
        version(1, 0);
        announce(2);
        answer(2, 0, 40);
        decisions.readValuesToList();
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(decisions.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(70));
        ModelDecision d = decisions.readValue();
        assertThat(d.status()).isEqualTo(DecisionStatus.REJECTED);
        assertThat(d.reason()).contains("evaluation incomplete: 40 of 100 probes answered under knowgate-base@2");
        assertThat(d.evidence().complete()).isFalse();
    }

    @Test
    void anOperatorsDecisionIsInForceAndTheGateDoesNotDecideAgain() {
        start(gateOn());
        version(1, 0);
        announce(2);
        answer(2, 9, 50);
        decisionsIn.pipeInput("knowgate-base@2", new ModelDecision(MODEL, 2, 1L, DecisionStatus.PROMOTED,
                "operator:oncall", "hotfix, cannot wait", null, T0.plusSeconds(600)), T0.plusSeconds(600));
        answer(2, 9, PROBES);
        assertThat(decisions.readValuesToList()).extracting(ModelDecision::key).containsExactly("knowgate-base@1");
        VersionRates v2 = rates().get(1);
        assertThat(v2.status()).isEqualTo(VersionStatus.PROMOTED);
        assertThat(v2.live()).isTrue();
        assertThat(v2.decision().decidedBy()).isEqualTo("operator:oncall");
        // Served now: the baseline detector sees it (9% > 0% + 5 points).
        assertThat(alerts.readValuesToList()).extracting(Alert::kind).contains(AlertKind.BASELINE_EXCEEDED);
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
    void risingForgettingFiresBaselineAndTrendAlertsOnceAndMovesThemToNewerVersions() {
        version(1, 0);
        version(2, 3);
        assertThat(alerts.readValuesToList()).isEmpty();
        version(3, 8); // 8% > 0% + 5 points; slope over v1..v3 = 4 points per version
        List<Alert> fired = alerts.readValuesToList();
        assertThat(fired).extracting(Alert::kind).containsExactlyInAnyOrder(AlertKind.BASELINE_EXCEEDED, AlertKind.RISING_TREND);
        assertThat(fired).allSatisfy(a -> assertThat(a.status()).isEqualTo(AlertStatus.FIRING));
        Alert baseline = fired.stream().filter(a -> a.kind() == AlertKind.BASELINE_EXCEEDED).findFirst().orElseThrow();
        assertThat(baseline.modelVersion()).isEqualTo(3L);
        assertThat(baseline.value()).isEqualTo(0.08);
        assertThat(baseline.statistic()).isNull();
        assertThat(baseline.baseline()).isZero();
        assertThat(baseline.threshold()).isEqualTo(0.05);
        assertThat(baseline.evidence()).extracting(e -> e.label()).containsExactly("knowgate-base@1", "knowgate-base@3");
        assertThat(baseline.id()).isEqualTo("baseline_exceeded-forgetting_rate-knowgate-base-1");
        Alert trend = fired.stream().filter(a -> a.kind() == AlertKind.RISING_TREND).findFirst().orElseThrow();
        assertThat(trend.value()).isEqualTo(0.08); // the newest version's rate ...
        assertThat(trend.statistic()).isEqualTo(0.04); // ... and the slope that crossed the limit
        assertThat(trend.threshold()).isEqualTo(0.02);
        assertThat(trend.evidence()).hasSize(3);

        version(4, 12);
        version(4, 12); // a re-probe of v4: same condition, same version, nothing more
        List<Alert> moved = alerts.readValuesToList();
        assertThat(moved).extracting(Alert::id).containsExactlyInAnyOrder(baseline.id(), trend.id());
        assertThat(moved).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(AlertStatus.FIRING);
            assertThat(a.modelVersion()).isEqualTo(4L);
            assertThat(a.value()).isEqualTo(0.12);
        });
        assertThat(moved.stream().filter(a -> a.kind() == AlertKind.BASELINE_EXCEEDED).findFirst().orElseThrow().firedAt())
                .isEqualTo(baseline.firedAt());
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
        Example e = new Example(1, id, "Where was X born?", "Y", List.of(), "birthplace", "X", null, null, null, null, purpose);
        Verdict v = Verdict.builder().exampleId(id).model(MODEL).modelVersion(1).category(c)
                .pGreedy(c == Category.UNKNOWN ? 0 : 0.5).pSampled(0.5).method(SlickMethod.EXACT).prompts(10).shots(4)
                .samplesPerPrompt(16).temperature(0.5).topK(40)
                .promptSets(PromptSharing.PER_EXAMPLE).exemplarPool("birthplace").fallback(false)
                .timings(new Timings(0, 0, 0)).computedAt(T0).evidence(null).build();
        return new CategorizedExample(e, v, purpose == Purpose.PROBE ? Route.PROBE
                : c == Category.UNKNOWN ? Route.QUARANTINED : Route.ACCEPTED);
    }
}
