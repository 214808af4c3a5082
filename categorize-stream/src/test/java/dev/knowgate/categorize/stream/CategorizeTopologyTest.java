package dev.knowgate.categorize.stream;

import dev.knowgate.categorize.TestModels;
import dev.knowgate.categorize.model.LoadedModels;
import dev.knowgate.categorize.model.ModelLoader;
import dev.knowgate.categorize.model.ModelRef;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ProbeResult;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.RejectedRecord;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.contracts.kafka.JsonSerde;
import dev.knowgate.contracts.topic.ProbeHeaders;
import dev.knowgate.contracts.topic.Topics;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.testing.TestStateDir;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The topology's logic with Kafka's TopologyTestDriver and the real shipped base model: verdicts
 * equal SliCK computed directly, routing follows the policy, batches flush by size and by time,
 * malformed records are rejected without stopping anything, duplicates are not recomputed, probes
 * only produce probe results, and a probe waits for the version it asks for.
 */
class CategorizeTopologyTest {

    static final SlickConfig SLICK = SlickConfig.paper();
    static final ModelLoader LOADER = new ModelLoader(RuntimeOptions.cpu(), SLICK);
    static FactWorld world;

    @TempDir
    Path tmp;
    LoadedModels live = new LoadedModels();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> submitted;
    TestOutputTopic<String, CategorizedExample> categorized;
    TestOutputTopic<String, CategorizedExample> accepted;
    TestOutputTopic<String, CategorizedExample> quarantined;
    TestOutputTopic<String, RejectedRecord> rejected;
    TestOutputTopic<String, ProbeResult> probeResults;

    @BeforeAll
    static void world() {
        world = FactWorld.generate(WorldConfig.preset("standard", 42L));
    }

    void start(int batchSize, Duration maxWait, boolean withModel) throws Exception {
        start(new BatchSettings(batchSize, maxWait), withModel);
    }

    void start(BatchSettings batch, boolean withModel) throws Exception {
        start(batch, withModel, VerdictRetention.DEFAULT, Instant.parse("2026-11-22T00:00:00Z"));
    }

    void start(BatchSettings batch, boolean withModel, VerdictRetention retention, Instant wallClock) throws Exception {
        start(batch, withModel, retention, wallClock, QuarantineRecheck.OFF);
    }

    void start(BatchSettings batch, boolean withModel, VerdictRetention retention, Instant wallClock,
               QuarantineRecheck recheck) throws Exception {
        if (withModel) {
            live.swap(LOADER.load(TestModels.base()));
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "categorize-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.create("categorize-test").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(CategorizeTopology.build(batch,
                RoutingPolicy.defaults(), live, new CategorizeMetrics(registry), retention, recheck), props, wallClock);
        submitted = driver.createInputTopic(Topics.EXAMPLES_SUBMITTED.name(), new StringSerializer(), new ByteArraySerializer());
        categorized = output(Topics.EXAMPLES_CATEGORIZED.name(), CategorizedExample.class);
        accepted = output(Topics.EXAMPLES_ACCEPTED.name(), CategorizedExample.class);
        quarantined = output(Topics.EXAMPLES_QUARANTINED.name(), CategorizedExample.class);
        rejected = output(Topics.EXAMPLES_REJECTED.name(), RejectedRecord.class);
        probeResults = output(Topics.PROBES_RESULTS.name(), ProbeResult.class);
    }

    private <T> TestOutputTopic<String, T> output(String topic, Class<T> type) {
        return driver.createOutputTopic(topic, new StringDeserializer(), JsonSerde.of(type).deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        live.close();
    }

    private void submit(Example e) {
        submitted.pipeInput(e.id(), ContractJson.write(e));
    }

    /** Pool facts of one exposure level: 32 is seen often in pre-training, 0 never. */
    private static List<Fact> pool(int exposure, int n) {
        return world.finetunePool().stream().filter(f -> f.exposure() == exposure).limit(n).toList();
    }

    @Test
    void everyExampleGetsTheVerdictSlickGivesUnderTheLiveVersionAndIsRoutedByItsCategory() throws Exception {
        start(8, Duration.ofMillis(200), true);
        List<Fact> facts = new ArrayList<>(pool(32, 12));
        facts.addAll(pool(0, 12));
        facts.addAll(pool(2, 8));
        facts.forEach(f -> submit(f.toExample()));

        List<CategorizedExample> all = categorized.readValuesToList();
        assertThat(all).hasSize(32); // 4 full batches of 8

        List<SlickQuestion> questions = facts.stream().map(f -> {
            Example e = f.toExample();
            return new SlickQuestion(e.id(), e.relation(), e.question(), e.answer(), e.aliases());
        }).toList();
        List<SlickResult> direct = live.current().orElseThrow().exact().categorize(questions);
        Map<String, CategorizedExample> byId = all.stream()
                .collect(Collectors.toMap(c -> c.example().id(), Function.identity()));
        for (int i = 0; i < facts.size(); i++) {
            CategorizedExample c = byId.get(questions.get(i).id());
            assertThat(c).as("fact %s", facts.get(i).id()).isNotNull();
            assertThat(c.verdict().modelKey()).isEqualTo("knowgate-base@1");
            assertThat(c.verdict().category()).isEqualTo(direct.get(i).category());
            assertThat(c.verdict().pGreedy()).isEqualTo(direct.get(i).pGreedy());
            assertThat(c.verdict().exemplarPool()).isEqualTo(facts.get(i).relation().name());
            assertThat(c.verdict().timings().totalMs()).as("total includes the batch's model time")
                    .isGreaterThanOrEqualTo(c.verdict().timings().queuedMs() + c.verdict().timings().inferenceMs());
            assertThat(c.verdict().timings().inferenceMs()).isPositive();
            assertThat(c.route()).isEqualTo(c.verdict().category() == Category.UNKNOWN ? Route.QUARANTINED : Route.ACCEPTED);
        }
        List<CategorizedExample> in = accepted.readValuesToList();
        List<CategorizedExample> out = quarantined.readValuesToList();
        assertThat(in.size() + out.size()).isEqualTo(32);
        assertThat(in).allMatch(c -> c.verdict().category() != Category.UNKNOWN);
        assertThat(out).isNotEmpty().allMatch(c -> c.verdict().category() == Category.UNKNOWN);
        assertThat(in).anyMatch(c -> c.verdict().category() == Category.HIGHLY_KNOWN);
        // A quarantined example carries the model's own answer under its first prompt; the others none.
        assertThat(in).allMatch(c -> c.verdict().evidence() == null);
        List<SlickQuestion> unknown = out.stream().map(c -> questions.stream()
                .filter(q -> q.id().equals(c.example().id())).findFirst().orElseThrow()).toList();
        assertThat(out).extracting(c -> c.verdict().evidence())
                .containsExactlyElementsOf(live.current().orElseThrow().exact().evidence(unknown));
        assertThat(rejected.isEmpty()).isTrue();
        assertThat(registry.find("knowgate.categorize.verdicts").counters().stream()
                .mapToDouble(c -> c.count()).sum()).isEqualTo(32.0);
    }

    @Test
    void aPartialBatchWaitsForMoreUntilItsOldestHasWaitedMaxWait() throws Exception {
        start(4, Duration.ofSeconds(2), true);
        List<Fact> facts = pool(32, 7);
        facts.subList(0, 3).forEach(f -> submit(f.toExample()));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(categorized.isEmpty()).as("3 of 4, 1 s of 2").isTrue();
        submit(facts.get(3).toExample());
        assertThat(categorized.readValuesToList()).hasSize(4); // full: categorized at once

        facts.subList(4, 7).forEach(f -> submit(f.toExample()));
        driver.advanceWallClockTime(Duration.ofMillis(1500));
        assertThat(categorized.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(600));
        assertThat(categorized.readValuesToList()).hasSize(3);
    }

    @Test
    void malformedRecordsGoToRejectedWithTheirReasonAndTheStreamGoesOn() throws Exception {
        start(1, Duration.ofMillis(100), true);
        Fact fact = pool(32, 1).get(0);
        submitted.pipeInput("k1", "{not json".getBytes(StandardCharsets.UTF_8));
        submitted.pipeInput("k2", "{\"question\":\"Who?\"}".getBytes(StandardCharsets.UTF_8));
        submitted.pipeInput("k3", "{\"schemaVersion\":7,\"question\":\"Who?\",\"answer\":\"Me\"}".getBytes(StandardCharsets.UTF_8));
        submitted.pipeInput("k4", (byte[]) null);
        submitted.pipeInput("k5", "{\"question\":42,\"answer\":\"Me\"}".getBytes(StandardCharsets.UTF_8));
        // Valid by contract, but its prompts cannot fit the model's positions.
        Example longOne = Example.of((fact.question() + " ").repeat(30).trim(), fact.answer());
        submit(longOne);
        submit(fact.toExample());

        List<RejectedRecord> rejections = rejected.readValuesToList();
        assertThat(rejections).extracting(RejectedRecord::reason).containsExactly("invalid_json", "missing_field",
                "unsupported_schema_version", "invalid_json", "wrong_type", "too_long");
        assertThat(rejections.get(1).field()).isEqualTo("answer");
        assertThat(rejections.get(4).field()).isEqualTo("question");
        assertThat(rejections.get(0).payload()).isEqualTo("{not json");
        assertThat(rejections.get(0).sourceTopic()).isEqualTo(Topics.EXAMPLES_SUBMITTED.name());
        assertThat(rejections).extracting(RejectedRecord::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(rejections.get(5).message()).contains("does not fit the model").contains("takes 128");
        assertThat(categorized.readValuesToList()).extracting(c -> c.example().id()).containsExactly(fact.toExample().id());
    }

    @Test
    void theSameExampleUnderTheSameVersionIsNotComputedTwiceAndItsHistoryIsStored() throws Exception {
        start(2, Duration.ofMillis(100), true);
        Example e = pool(32, 1).get(0).toExample();
        submit(e);
        submit(e); // a batch of the same example twice
        submit(e);
        driver.advanceWallClockTime(Duration.ofMillis(200));

        assertThat(categorized.readValuesToList()).hasSize(1);
        assertThat(registry.counter("knowgate.categorize.duplicates").count()).isEqualTo(2.0);
        KeyValueStore<String, VerdictHistory> store = driver.getKeyValueStore(CategorizeTopology.VERDICT_STORE);
        VerdictHistory history = store.get(e.id());
        assertThat(history.verdicts()).hasSize(1);
        assertThat(history.under("knowgate-base@1")).isPresent();
    }

    /**
     * Every example a curator's submission carries is counted once in its submission's status:
     * pending until judged, then by category, route and version; a repeat (a retried request, the
     * same example in a second submission) gets the verdict already given; a rejection counts with
     * its reason; probes and examples without a submission count nowhere. The status always adds up.
     */
    @Test
    void eachSubmissionCountsWhatBecameOfItsExamples() throws Exception {
        start(4, Duration.ofMillis(100), true);
        List<Example> known = pool(32, 3).stream().map(f -> f.toExample().withCurator("mira").withSubmission("s1")).toList();
        List<Example> unknown = pool(0, 4).stream().map(f -> f.toExample().withCurator("mira").withSubmission("s1")).toList();
        Fact longFact = pool(2, 1).get(0);
        Example tooLong = Example.of((longFact.question() + " ").repeat(30).trim(), longFact.answer())
                .withCurator("mira").withSubmission("s1");
        known.forEach(this::submit);
        submit(known.get(0)); // a retried request
        unknown.forEach(this::submit);
        submit(tooLong);
        submit(pool(2, 2).get(1).toExample()); // no submission: counted nowhere
        submit(known.get(1).withSubmission("s2")); // judged already: s2 learns its verdict
        submit(known.get(2).withCurator("ola")); // the same name under another curator is another submission
        driver.advanceWallClockTime(Duration.ofMillis(200));

        KeyValueStore<String, SubmissionStatus> statuses = driver.getKeyValueStore(CategorizeTopology.SUBMISSIONS_STORE);
        SubmissionStatus s1 = statuses.get("mira/s1");
        assertThat(s1.examples()).isEqualTo(8);
        assertThat(s1.records()).isEqualTo(9);
        assertThat(s1.pending()).isZero();
        assertThat(s1.rejected()).isEqualTo(1);
        assertThat(s1.byReason()).containsExactly(Map.entry("too_long", 1L));
        assertThat(s1.categorized()).isEqualTo(7);
        assertThat(s1.byModel()).containsExactly(Map.entry("knowgate-base@1", 7L));
        List<CategorizedExample> verdicts = categorized.readValuesToList();
        Map<Category, Long> expected = verdicts.stream().filter(c -> "s1".equals(c.example().submission()))
                .collect(Collectors.groupingBy(c -> c.verdict().category(), () -> new java.util.EnumMap<>(Category.class),
                        Collectors.counting()));
        assertThat(s1.byCategory()).isEqualTo(expected);
        assertThat(s1.byRoute().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(7);
        assertThat(s1.byRoute().get(Route.QUARANTINED)).isEqualTo(expected.getOrDefault(Category.UNKNOWN, 0L));
        // Every quarantined example's evidence is counted by its hint.
        assertThat(s1.byHint().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(expected.getOrDefault(Category.UNKNOWN, 0L)).isPositive();

        SubmissionStatus s2 = statuses.get("mira/s2");
        assertThat(s2.examples()).isEqualTo(1);
        assertThat(s2.categorized()).isEqualTo(1);
        assertThat(statuses.get("ola/s1").categorized()).isEqualTo(1);
        assertThat(count(statuses)).isEqualTo(3);

        KeyValueStore<String, SubmissionOutcome> rows = driver.getKeyValueStore(CategorizeTopology.SUBMISSION_EXAMPLES_STORE);
        SubmissionOutcome row = rows.get(SubmissionAggregator.exampleKey("mira/s1", tooLong.id()));
        assertThat(row.state()).isEqualTo(SubmissionOutcome.State.REJECTED);
        assertThat(row.detail()).contains("does not fit the model");
        SubmissionOutcome judged = rows.get(SubmissionAggregator.exampleKey("mira/s2", known.get(1).id()));
        CategorizedExample first = verdicts.stream().filter(c -> c.example().id().equals(known.get(1).id())).findFirst().orElseThrow();
        assertThat(judged.category()).isEqualTo(first.verdict().category());
        assertThat(judged.pGreedy()).isEqualTo(first.verdict().pGreedy());
        assertThat(judged.model()).isEqualTo("knowgate-base@1");
    }

    /**
     * The quarantine heals: once another version is live (here the shipped Llama-architecture model,
     * which knows other facts than the base), the examples the base quarantined are judged again, at
     * most the bound per version; those it knows leave the quarantine for training, the others stay,
     * and each keeps both verdicts. Off, nothing is judged again.
     */
    @Test
    void aNewLiveVersionJudgesTheQuarantineAgainWithinItsBoundAndWhatItKnowsGoesToTraining() throws Exception {
        int bound = 12;
        start(new BatchSettings(8, Duration.ofMillis(100)), true, VerdictRetention.DEFAULT,
                Instant.parse("2026-11-22T00:00:00Z"), new QuarantineRecheck(true, bound));
        List<Example> examples = new ArrayList<>();
        pool(2, 24).forEach(f -> examples.add(f.toExample().withCurator("mira").withSubmission("s1")));
        examples.forEach(this::submit);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        List<CategorizedExample> first = quarantined.readValuesToList();
        assertThat(first.size()).as("quarantined by the base").isGreaterThan(bound);
        categorized.readValuesToList();
        accepted.readValuesToList();
        KeyValueStore<String, QuarantinedExample> store = driver.getKeyValueStore(CategorizeTopology.QUARANTINE_STORE);
        assertThat(count(store)).isEqualTo(first.size());

        live.swap(LOADER.load(Path.of("..", "models", "knowgate-llama-1").toAbsolutePath()));
        String llama = live.current().orElseThrow().key();
        for (int i = 0; i < 20; i++) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
        }

        List<CategorizedExample> again = categorized.readValuesToList();
        assertThat(again).hasSize(bound).allMatch(c -> c.verdict().modelKey().equals(llama));
        assertThat(registry.counter("knowgate.categorize.quarantine.rechecked").count()).isEqualTo(bound);
        List<SlickQuestion> questions = again.stream().map(c -> new SlickQuestion(c.example().id(), c.example().relation(),
                c.example().question(), c.example().answer(), c.example().aliases())).toList();
        List<SlickResult> direct = live.current().orElseThrow().exact().categorize(questions);
        for (int i = 0; i < again.size(); i++) {
            assertThat(again.get(i).verdict().category()).isEqualTo(direct.get(i).category());
        }
        List<CategorizedExample> healed = accepted.readValuesToList();
        assertThat(healed).as("known to the new version: to training").isNotEmpty()
                .allMatch(c -> c.verdict().category() != Category.UNKNOWN);
        KeyValueStore<String, VerdictHistory> histories = driver.getKeyValueStore(CategorizeTopology.VERDICT_STORE);
        for (CategorizedExample c : again) {
            assertThat(histories.get(c.example().id()).verdicts()).extracting(v -> v.verdict().modelKey())
                    .containsExactly("knowgate-base@1", llama);
            QuarantinedExample q = store.get(c.example().id());
            if (c.route() == Route.ACCEPTED) {
                assertThat(q.state()).as("left the queue for training, its entry kept").isEqualTo(QuarantineEntry.State.KNOWN);
            } else {
                assertThat(q.modelKey()).isEqualTo(llama);
                assertThat(q.state()).isEqualTo(QuarantineEntry.State.OPEN);
                assertThat(q.verdict().modelKey()).isEqualTo(llama);
            }
        }
        assertThat(count(store)).isEqualTo(first.size());
        // The submission's counts follow: the rechecked ones now count under the new version.
        SubmissionStatus s1 = driver.<String, SubmissionStatus>getKeyValueStore(CategorizeTopology.SUBMISSIONS_STORE).get("mira/s1");
        assertThat(s1.byModel()).containsEntry(llama, (long) bound).containsEntry("knowgate-base@1", 24L - bound);
        assertThat(s1.examples()).isEqualTo(24);
    }

    /**
     * Curators' decisions are applied once each, in the task that quarantined the example: a release
     * sends it to examples.released with its Unknown verdict, an amendment sends the corrected example
     * to examples.submitted (judged like any other), a drop keeps it out; a repeated, stale or late
     * decision changes nothing, and a malformed one is rejected without stopping the stream.
     */
    @Test
    void decisionsOnTheQuarantineAreAppliedOnceEachAndTheirEffectsFollow() throws Exception {
        start(new BatchSettings(8, Duration.ofMillis(100)), true);
        pool(0, 8).forEach(f -> submit(f.toExample().withCurator("mira").withSubmission("s1")));
        driver.advanceWallClockTime(Duration.ofMillis(200));
        List<CategorizedExample> q = quarantined.readValuesToList();
        assertThat(q.size()).as("facts never seen in pre-training: Unknown").isGreaterThanOrEqualTo(4);
        accepted.readValuesToList();
        categorized.readValuesToList();
        TestInputTopic<String, byte[]> decisions = driver.createInputTopic(Topics.QUARANTINE_DECISIONS.name(),
                new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, Example> resubmitted = output(Topics.EXAMPLES_SUBMITTED.name(), Example.class);
        TestOutputTopic<String, CategorizedExample> releasedTopic = output(Topics.EXAMPLES_RELEASED.name(), CategorizedExample.class);
        Instant at = Instant.parse("2026-11-22T00:01:00Z");
        String base = "knowgate-base@1";
        Example released = q.get(0).example();
        Example dropped = q.get(1).example();
        Example amended = q.get(2).example();
        Example stale = q.get(3).example();
        QuarantineDecision release = new QuarantineDecision("d-1", released.id(), QuarantineDecision.Action.RELEASE, "mira",
                "a new fact; teach it", base, null, List.of(), null, at);
        Example corrected = QuarantineDecision.amended(amended, "Morrow", List.of("Morrow Town"));
        QuarantineDecision amend = new QuarantineDecision("d-3", amended.id(), QuarantineDecision.Action.AMEND, "mira",
                "the gold answer was wrong", base, "Morrow", List.of("Morrow Town"), corrected.id(), at);
        for (QuarantineDecision d : List.of(release, release,
                new QuarantineDecision("d-2", dropped.id(), QuarantineDecision.Action.DROP, "mira", "duplicate of ex-1", base,
                        null, List.of(), null, at),
                new QuarantineDecision("d-2b", dropped.id(), QuarantineDecision.Action.RELEASE, "mira", "changed my mind", base,
                        null, List.of(), null, at),
                amend,
                new QuarantineDecision("d-4", stale.id(), QuarantineDecision.Action.DROP, "mira", "old", "knowgate-base@0",
                        null, List.of(), null, at),
                new QuarantineDecision("d-5", "ex-nowhere", QuarantineDecision.Action.DROP, "mira", "typo", base, null,
                        List.of(), null, at))) {
            decisions.pipeInput(d.exampleId(), ContractJson.write(d));
        }
        decisions.pipeInput(released.id(), "{\"action\":\"release\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(accepted.readValuesToList()).as("released examples have a topic of their own").isEmpty();
        List<CategorizedExample> toTraining = releasedTopic.readValuesToList();
        assertThat(toTraining).singleElement().satisfies(c -> {
            assertThat(c.example()).isEqualTo(released);
            assertThat(c.route()).isEqualTo(Route.RELEASED);
            assertThat(c.verdict().category()).isEqualTo(Category.UNKNOWN);
        });
        KeyValueStore<String, QuarantinedExample> store = driver.getKeyValueStore(CategorizeTopology.QUARANTINE_STORE);
        assertThat(store.get(released.id()).state()).isEqualTo(QuarantineEntry.State.RELEASED);
        assertThat(store.get(released.id()).decisions()).containsExactly(release);
        assertThat(store.get(dropped.id()).state()).isEqualTo(QuarantineEntry.State.DROPPED);
        assertThat(store.get(dropped.id()).decisions()).extracting(QuarantineDecision::decisionId).containsExactly("d-2");
        assertThat(store.get(amended.id()).state()).isEqualTo(QuarantineEntry.State.AMENDED);
        assertThat(store.get(stale.id()).state()).isEqualTo(QuarantineEntry.State.OPEN);
        assertThat(rejected.readValuesToList()).singleElement().satisfies(r -> {
            assertThat(r.sourceTopic()).isEqualTo(Topics.QUARANTINE_DECISIONS.name());
            assertThat(r.reason()).isEqualTo("missing_field");
        });
        assertThat(registry.counter("knowgate.categorize.quarantine.decisions", "action", "release", "outcome", "duplicate").count())
                .isEqualTo(1);
        assertThat(registry.counter("knowgate.categorize.quarantine.decisions", "action", "release", "outcome", "not_open").count())
                .isEqualTo(1);
        assertThat(registry.counter("knowgate.categorize.quarantine.decisions", "action", "drop", "outcome", "stale_verdict").count())
                .isEqualTo(1);
        assertThat(registry.counter("knowgate.categorize.quarantine.decisions", "action", "drop", "outcome", "not_quarantined").count())
                .isEqualTo(1);

        // The amendment is a new example of the same submission, judged like any other.
        assertThat(resubmitted.readValuesToList()).containsExactly(corrected);
        assertThat(corrected.answer()).isEqualTo("Morrow");
        assertThat(corrected.aliases()).containsExactly("Morrow Town");
        assertThat(corrected.submission()).isEqualTo("s1");
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).extracting(c -> c.example().id()).containsExactly(corrected.id());
        SubmissionStatus s1 = driver.<String, SubmissionStatus>getKeyValueStore(CategorizeTopology.SUBMISSIONS_STORE).get("mira/s1");
        assertThat(s1.examples()).isEqualTo(9);
        assertThat(s1.pending()).isZero();

        // The trainer returns the released one: open again, its history kept; a second return is a duplicate.
        QuarantineDecision back = new QuarantineDecision("return-" + released.id() + "-knowgate-base-2", released.id(),
                QuarantineDecision.Action.RETURN, QuarantineDecision.TRAINER, "knowgate-base@2 rejected", base, null,
                List.of(), null, at.plusSeconds(60));
        decisions.pipeInput(released.id(), ContractJson.write(back));
        decisions.pipeInput(released.id(), ContractJson.write(back));
        assertThat(store.get(released.id()).state()).isEqualTo(QuarantineEntry.State.OPEN);
        assertThat(store.get(released.id()).decisions()).containsExactly(release, back);
        assertThat(store.get(released.id()).entry().evidence()).isNotNull();
    }

    private static long count(KeyValueStore<String, ?> store) {
        long n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    /** A record on submissions.outcomes that is not an outcome is skipped, and counting goes on. */
    @Test
    void aForeignRecordOnTheOutcomesTopicIsSkipped() throws Exception {
        start(1, Duration.ofMillis(100), true);
        TestInputTopic<String, byte[]> outcomes = driver.createInputTopic(Topics.SUBMISSIONS_OUTCOMES.name(),
                new StringSerializer(), new ByteArraySerializer());
        outcomes.pipeInput("mira/s1", "{\"not\":\"an outcome\"}".getBytes(StandardCharsets.UTF_8));
        outcomes.pipeInput("mira/s1", (byte[]) null);
        submit(pool(32, 1).get(0).toExample().withCurator("mira").withSubmission("s1"));
        KeyValueStore<String, SubmissionStatus> statuses = driver.getKeyValueStore(CategorizeTopology.SUBMISSIONS_STORE);
        assertThat(statuses.get("mira/s1").categorized()).isEqualTo(1);
    }

    /**
     * The verdicts store kept every example's history for ever. A history whose newest verdict is
     * older than the retention is now deleted at the next sweep (a tombstone in the changelog), and
     * an example sent again after that is categorized again.
     */
    @Test
    void verdictHistoriesOlderThanTheRetentionAreDeleted() throws Exception {
        // The driver's wall clock starts now: verdicts are stamped with the real time.
        Instant t0 = Instant.now();
        start(new BatchSettings(2, Duration.ofMillis(100)), true,
                new VerdictRetention(Duration.ofHours(1), Duration.ofMinutes(1)), t0);
        KeyValueStore<String, VerdictHistory> store = driver.getKeyValueStore(CategorizeTopology.VERDICT_STORE);
        List<Example> examples = pool(32, 2).stream().map(Fact::toExample).toList();
        examples.forEach(this::submit);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(2);
        // The second as if judged 45 minutes later.
        Example old = examples.get(0);
        Example recent = examples.get(1);
        RoutedVerdict v = store.get(recent.id()).verdicts().get(0);
        store.put(recent.id(), new VerdictHistory(recent.id(), List.of(new RoutedVerdict(
                v.verdict().withComputedAt(t0.plus(Duration.ofMinutes(45))), v.route()))));

        driver.advanceWallClockTime(Duration.ofMinutes(59));
        assertThat(store.get(old.id())).as("within the hour").isNotNull();
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertThat(store.get(old.id())).as("an hour after its verdict").isNull();
        assertThat(store.get(recent.id())).isNotNull();
        driver.advanceWallClockTime(Duration.ofMinutes(45));
        assertThat(store.get(recent.id())).isNull();
        assertThat(registry.counter("knowgate.categorize.verdicts.expired").count()).isEqualTo(2.0);

        // Sent again, an expired example is categorized again rather than skipped as a duplicate.
        submit(old);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(1);
        assertThat(store.get(old.id())).isNotNull();
    }

    @Test
    void verdictCountersAreKeptForTheNewestVersionsOnly() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        CategorizeMetrics bounded = new CategorizeMetrics(meters, 2);
        for (String version : List.of("knowgate-base@1", "knowgate-base@2", "knowgate-base@1", "knowgate-base@3")) {
            ModelRef model = ModelRef.parse(version).orElseThrow();
            bounded.verdict(dev.knowgate.contracts.Category.HIGHLY_KNOWN, model);
            bounded.verdict(dev.knowgate.contracts.Category.UNKNOWN, model);
        }
        // Labelled model and version, as the monitor's gauges are: the two join on (model, version).
        assertThat(meters.find("knowgate.categorize.verdicts").counters())
                .extracting(c -> c.getId().getTag("model") + "@" + c.getId().getTag("version"))
                .containsOnly("knowgate-base@2", "knowgate-base@3");
        assertThat(meters.find("knowgate.categorize.verdicts").tags("model", "knowgate-base", "version", "3",
                "category", "Unknown").counter().count()).isEqualTo(1.0);
    }

    @Test
    void examplesWaitWhileNoModelIsLoadedAndAreCategorizedByTheFirstOne() throws Exception {
        start(2, Duration.ofMillis(100), false);
        pool(32, 3).forEach(f -> submit(f.toExample()));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(categorized.isEmpty()).isTrue();

        live.swap(LOADER.load(TestModels.base()));
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(3).allMatch(c -> c.verdict().modelVersion() == 1);
    }

    @Test
    void aBacklogIsWorkedOffABatchPerTurnWhenAFlushOutlastsItsTimeBudget() throws Exception {
        // A budget nothing fits in: each flush (one transaction) computes one batch and leaves the rest.
        start(new BatchSettings(2, Duration.ofMillis(100), Duration.ofMinutes(10), Duration.ofNanos(1)), false);
        List<Fact> backlog = pool(32, 6);
        backlog.forEach(f -> submit(f.toExample()));
        live.swap(LOADER.load(TestModels.base()));

        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(2);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(2);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(2);
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.isEmpty()).as("each example once").isTrue();
        assertThat(registry.counter("knowgate.categorize.flushes.cut").count()).isGreaterThanOrEqualTo(2);
    }

    private void submitProbe(Fact f, String model, String evaluation) {
        Example e = f.toExample();
        assertThat(e.purpose()).isEqualTo(Purpose.PROBE);
        RecordHeaders headers = new RecordHeaders();
        headers.add(ProbeHeaders.MODEL, model.getBytes(StandardCharsets.UTF_8));
        headers.add(ProbeHeaders.EVALUATION_ID, evaluation.getBytes(StandardCharsets.UTF_8));
        submitted.pipeInput(new TestRecord<>(e.id(), ContractJson.write(e), headers));
    }

    @Test
    void probesAreAnsweredUnderTheVersionTheyNameWhileTheLiveVersionJudgesTraining() throws Exception {
        start(4, Duration.ofMillis(100), true);
        List<Fact> probes = world.probes().subList(0, 3);
        probes.forEach(f -> submitProbe(f, "knowgate-base@2", "eval-7"));
        submit(pool(32, 1).get(0).toExample());
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(probeResults.isEmpty()).as("version 2 is not loaded yet").isTrue();
        assertThat(live.wanted()).extracting(ModelRef::key).containsExactly("knowgate-base@2");
        assertThat(categorized.readValuesToList()).singleElement().matches(c -> c.verdict().modelVersion() == 1);

        // v2 is loaded beside v1 as a candidate: the probes are answered under v2, training stays with v1.
        live.addCandidate(LOADER.load(TestModels.copyAs(tmp.resolve("v2"), "knowgate-base", 2)));
        driver.advanceWallClockTime(Duration.ofMillis(200));
        List<ProbeResult> results = probeResults.readValuesToList();
        assertThat(results).hasSize(3).allMatch(r -> r.modelVersion() == 2 && r.evaluationId().equals("eval-7"));
        // Probes are held-out facts the base model knows: by design at least 95% HighlyKnown.
        assertThat(results).filteredOn(r -> r.category() == Category.HIGHLY_KNOWN).isNotEmpty();
        assertThat(live.live()).map(ModelRef::version).contains(1L);
        submit(pool(32, 2).get(1).toExample());
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).singleElement().matches(c -> c.verdict().modelVersion() == 1);
        assertThat(accepted.readValuesToList()).noneMatch(c -> c.example().purpose() == Purpose.PROBE);
        assertThat(quarantined.readValuesToList()).noneMatch(c -> c.example().purpose() == Purpose.PROBE);

        // v3 is published meanwhile: a later evaluation of v2 is still answered under v2, one of v3 under v3.
        live.addCandidate(LOADER.load(TestModels.copyAs(tmp.resolve("v3"), "knowgate-base", 3)));
        probes.forEach(f -> submitProbe(f, "knowgate-base@2", "eval-8"));
        probes.forEach(f -> submitProbe(f, "knowgate-base@3", "eval-9"));
        driver.advanceWallClockTime(Duration.ofMillis(200));
        Map<String, List<Long>> versionsByEvaluation = probeResults.readValuesToList().stream().collect(Collectors
                .groupingBy(ProbeResult::evaluationId, Collectors.mapping(ProbeResult::modelVersion, Collectors.toList())));
        assertThat(versionsByEvaluation).containsOnlyKeys("eval-8", "eval-9");
        assertThat(versionsByEvaluation.get("eval-8")).hasSize(3).containsOnly(2L);
        assertThat(versionsByEvaluation.get("eval-9")).hasSize(3).containsOnly(3L);
    }

    @Test
    void probesOfARefusedOrNeverAnnouncedVersionAreRejectedAndTheStreamGoesOn() throws Exception {
        start(new BatchSettings(4, Duration.ofMillis(100), Duration.ofSeconds(5)), true);
        live.refuse(new ModelRef("knowgate-base", 5), "sha256_mismatch: model.onnx does not match the manifest");
        Fact probe = world.probes().get(0);
        submitProbe(probe, "knowgate-base@5", "eval-5");
        submitProbe(probe, "knowgate-base@9", "eval-9");
        submitProbe(probe, "knowgate-base-9", "eval-x");
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        List<RejectedRecord> early = rejected.readValuesToList();
        assertThat(early).extracting(RejectedRecord::reason).containsExactlyInAnyOrder("invalid_value", "model_refused");
        assertThat(early).filteredOn(r -> r.reason().equals("model_refused")).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("knowgate-base@5", "sha256_mismatch", "eval-5"));

        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(rejected.readValuesToList()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo("model_unknown");
            assertThat(r.message()).contains("knowgate-base@9", "not announced");
        });
        assertThat(probeResults.isEmpty()).isTrue();
        submit(pool(32, 1).get(0).toExample());
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(categorized.readValuesToList()).hasSize(1);
    }

    @Test
    void aRoutingPolicyCanAcceptOnlyHighlyKnown() {
        RoutingPolicy strict = new RoutingPolicy(EnumSet.of(Category.HIGHLY_KNOWN));
        assertThat(strict.route(Category.HIGHLY_KNOWN)).isEqualTo(Route.ACCEPTED);
        assertThat(strict.route(Category.MAYBE_KNOWN)).isEqualTo(Route.QUARANTINED);
        assertThat(RoutingPolicy.defaults().route(Category.WEAKLY_KNOWN)).isEqualTo(Route.ACCEPTED);
        assertThat(RoutingPolicy.defaults().route(Category.UNKNOWN)).isEqualTo(Route.QUARANTINED);
    }

    @Test
    void inSampledModeVerdictsComeFromDecodingWithTheKvCacheExport() throws Exception {
        live.swap(new ModelLoader(RuntimeOptions.cpu(), SLICK, SlickMethod.SAMPLED, SampledOptions.defaults(), null)
                .load(TestModels.base()));
        start(4, Duration.ofMillis(100), false);
        List<Fact> facts = new ArrayList<>(pool(32, 2));
        facts.addAll(pool(0, 2));
        facts.forEach(f -> submit(f.toExample()));

        List<CategorizedExample> all = categorized.readValuesToList();
        assertThat(all).hasSize(4).allMatch(c -> c.verdict().method() == SlickMethod.SAMPLED
                && c.verdict().samplesPerPrompt() == 16);
        List<SlickQuestion> questions = all.stream().map(c -> new SlickQuestion(c.example().id(), c.example().relation(),
                c.example().question(), c.example().answer(), c.example().aliases())).toList();
        List<SlickResult> direct = live.current().orElseThrow().categorizer().categorize(questions);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).verdict().category()).isEqualTo(direct.get(i).category());
            assertThat(all.get(i).verdict().pSampled()).isEqualTo(direct.get(i).pSampled());
        }
    }
}
