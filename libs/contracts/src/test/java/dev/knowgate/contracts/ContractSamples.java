package dev.knowgate.contracts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One realistic value of every contract record, from the invented fact world the tests and
 * the golden files share (Lorin Vask, born in Tessaly; knowgate-gpt version 7).
 */
public final class ContractSamples {

    public static final String MODEL = "knowgate-gpt";

    private ContractSamples() {
    }

    public static Example example() {
        return new Example(SchemaVersions.CURRENT, null, "Where was Lorin Vask born?", "Tessaly",
                List.of("Tessaly City"), "birthplace", "Lorin Vask", "curation-batch-2026-05-04", "mira.okafor", "sub-2026-05-04-birthplaces",
                Instant.parse("2026-05-04T09:30:12.418Z"), Purpose.TRAINING);
    }

    public static Timings timings() {
        return new Timings(412, 37, 455);
    }

    public static Verdict verdict() {
        return verdictFor(example().id());
    }

    public static Verdict verdictFor(String exampleId) {
        return Verdict.builder().exampleId(exampleId).model(MODEL).modelVersion(7).category(Category.MAYBE_KNOWN)
                .pGreedy(0.3).pSampled(0.184302).method(SlickMethod.EXACT).prompts(10).shots(4).samplesPerPrompt(16)
                .temperature(0.5).topK(40)
                .promptSets(PromptSharing.PER_EXAMPLE).exemplarPool("birthplace").fallback(false).timings(timings())
                .computedAt(Instant.parse("2026-05-04T09:30:12.873Z")).evidence(null).build();
    }

    /** A verdict of Unknown with the model's own answer: what a curator reviewing the quarantine sees. */
    public static Verdict unknownVerdict() {
        return verdict().withCategory(Category.UNKNOWN).withPGreedy(0.0).withPSampled(0.000213)
                .withEvidence(new Evidence("Morrow", 0.71, Evidence.Hint.CONFIDENT_OTHER));
    }

    public static CategorizedExample categorizedExample() {
        return new CategorizedExample(example(), verdict(), Route.ACCEPTED);
    }

    /** The sample example's outcome once categorized: a line of knowgate-push --report. */
    public static SubmissionOutcome submissionOutcome() {
        return SubmissionOutcome.categorized(example(), verdict(), Route.ACCEPTED);
    }

    /** The sample example's submission, 40 examples in, a little after the verdict above. */
    public static SubmissionStatus submissionStatus() {
        Map<Category, Long> byCategory = new LinkedHashMap<>();
        byCategory.put(Category.UNKNOWN, 14L);
        byCategory.put(Category.HIGHLY_KNOWN, 11L);
        byCategory.put(Category.MAYBE_KNOWN, 7L);
        byCategory.put(Category.WEAKLY_KNOWN, 5L);
        return new SubmissionStatus("sub-2026-05-04-birthplaces", "mira.okafor", 40, 41, 2, 37, 1, byCategory,
                Map.of(Route.QUARANTINED, 14L, Route.ACCEPTED, 23L), Map.of(MODEL + "@7", 37L),
                Map.of("too_long", 1L), Map.of(Evidence.Hint.NONE, 11L, Evidence.Hint.CONFIDENT_OTHER, 2L,
                        Evidence.Hint.NEAR_MATCH, 1L), Instant.parse("2026-05-04T09:30:12.440Z"), Instant.parse("2026-05-04T09:30:14.102Z"));
    }

    /** A curator's amendment of the sample example after its Unknown verdict: the gold answer was wrong. */
    public static QuarantineDecision quarantineDecision() {
        Example amended = QuarantineDecision.amended(example(), "Morrow", List.of());
        return new QuarantineDecision("dec-2026-05-04-lorin-vask", example().id(), QuarantineDecision.Action.AMEND,
                "mira.okafor", "the registry says Morrow; Tessaly was his mother's birthplace", MODEL + "@7", "Morrow",
                List.of(), amended.id(), Instant.parse("2026-05-04T10:02:41.120Z"));
    }

    /** The sample example in the quarantine queue: released, then returned by the trainer when its round was rejected. */
    public static QuarantineEntry quarantineEntry() {
        Verdict v = unknownVerdict();
        QuarantineDecision release = new QuarantineDecision("dec-release-lorin-vask", example().id(),
                QuarantineDecision.Action.RELEASE, "mira.okafor", "a new fact from the 2026 registry; teach it", MODEL + "@7",
                null, List.of(), null, Instant.parse("2026-05-04T10:02:41.120Z"));
        QuarantineDecision back = new QuarantineDecision("return-" + example().id() + "-knowgate-gpt-9", example().id(),
                QuarantineDecision.Action.RETURN, QuarantineDecision.TRAINER,
                "knowgate-gpt@9 rejected by gate: forgetting rate 0.031 > 0.02", MODEL + "@7", null, List.of(), null,
                Instant.parse("2026-05-04T11:15:09.004Z"));
        return new QuarantineEntry(example(), MODEL + "@7", v.category(), v.pGreedy(), v.evidence(),
                Instant.parse("2026-05-04T09:30:12.873Z"), QuarantineEntry.State.OPEN, List.of(release, back));
    }

    public static RejectedRecord rejectedRecord() {
        return new RejectedRecord("wrong_type", "question", "field 'question' must be a string, got number 42",
                "{\"question\":42,\"answer\":\"Tessaly\"}", "examples.submitted", 3, 18211,
                Instant.parse("2026-05-04T09:31:02.005Z"));
    }

    public static ModelFile modelFile() {
        return new ModelFile("model.onnx", "a8f87ced8fcb16b5370e0afba30cb4a007e1cfcda1c1235a7bb1d5819b4ec1b4", 48_213_504);
    }

    public static RoundSummary roundSummary() {
        Map<Category, Integer> byCategory = new LinkedHashMap<>();
        byCategory.put(Category.WEAKLY_KNOWN, 121);
        byCategory.put(Category.HIGHLY_KNOWN, 812);
        byCategory.put(Category.MAYBE_KNOWN, 655);
        Map<String, Long> offsets = new LinkedHashMap<>();
        offsets.put("examples.accepted-1", 4_987L);
        offsets.put("examples.accepted-0", 5_120L);
        offsets.put("examples.accepted-2", 5_033L);
        Map<Category, LearnedCount> learned = new LinkedHashMap<>();
        learned.put(Category.MAYBE_KNOWN, new LearnedCount(601, 655));
        learned.put(Category.WEAKLY_KNOWN, new LearnedCount(97, 121));
        learned.put(Category.HIGHLY_KNOWN, new LearnedCount(809, 812));
        Map<Category, LearnedCount> lineage = new LinkedHashMap<>();
        lineage.put(Category.HIGHLY_KNOWN, new LearnedCount(4_790, 4_803));
        lineage.put(Category.MAYBE_KNOWN, new LearnedCount(3_410, 3_702));
        lineage.put(Category.WEAKLY_KNOWN, new LearnedCount(520, 688));
        return new RoundSummary("round-0007", byCategory, 1_588, 3, 0.4127, 0.6634, 734_211, offsets, learned, lineage, null);
    }

    /** Version 7 as the models topic carries it: with its round and where the registry keeps it. */
    public static ModelVersion modelVersion() {
        return new ModelVersion(SchemaVersions.CURRENT, MODEL, 7, 6L, "knowgate-gpt",
                List.of(new ModelFile("tokenizer.json", "224931eb13f8d2471acd38a4a0d7417d20e8ea340160a467ceaa359d25197b87", 211_884),
                        modelFile()),
                "Q: {question}\nA:", "\n", Instant.parse("2026-05-04T08:12:45Z"), roundSummary(),
                "file:///var/lib/knowgate/registry/knowgate-gpt/7");
    }

    /** The shipped base model's manifest.json: no parent, no round, no location. */
    public static ModelVersion baseModelManifest() {
        return new ModelVersion(SchemaVersions.CURRENT, MODEL, 1, null, "knowgate-gpt",
                List.of(new ModelFile("model.onnx", "44e709e8fe56b0487ade223add7cdc86f246fcb23d314bb33aae3ed976bfcbce", 48_213_504),
                        new ModelFile("tokenizer.json", "224931eb13f8d2471acd38a4a0d7417d20e8ea340160a467ceaa359d25197b87", 211_884)),
                "Q: {question}\nA:", "\n", Instant.parse("2026-04-28T16:00:00Z"), null, null);
    }

    public static ProbeResult probeResult() {
        return new ProbeResult(ExampleIds.of("Which city is the capital of Orvane?", "Keldmar"),
                "probe-eval-knowgate-gpt-7", MODEL, 7, Category.HIGHLY_KNOWN, 1.0, 0.9612, true,
                Instant.parse("2026-05-04T08:20:31.190Z"));
    }

    /** A live version forgets more than the base plus the margin (it was promoted by hand). */
    public static Alert alert() {
        return new Alert("baseline_exceeded-forgetting_rate-knowgate-gpt-1", AlertKind.BASELINE_EXCEEDED, AlertStatus.FIRING,
                "forgetting_rate", MODEL, 7L, 0.087, null, 0.0, 0.05,
                List.of(new EvidencePoint("knowgate-gpt@1", 0.0), new EvidencePoint("knowgate-gpt@7", 0.087)),
                "knowgate-gpt@7 forgets 8.7% of the probes knowgate-gpt@1 answers (25 of 287), baseline 0.0%: "
                        + "above the baseline by more than 5.0 points",
                Instant.parse("2026-05-04T08:21:05Z"), null);
    }

    /** A trend: the value is the newest version's rate, the statistic the slope that crossed the limit. */
    public static Alert trendAlert() {
        return new Alert("rising_trend-forgetting_rate-knowgate-gpt-2", AlertKind.RISING_TREND, AlertStatus.FIRING,
                "forgetting_rate", MODEL, 7L, 0.087, 0.021, 0.0, 0.02,
                List.of(new EvidencePoint("knowgate-gpt@5", 0.029), new EvidencePoint("knowgate-gpt@6", 0.034),
                        new EvidencePoint("knowgate-gpt@7", 0.087)),
                "forgetting rate of knowgate-gpt rises by 2.10 points per version over its last 3 promoted versions "
                        + "(Theil-Sen; limit 2.00); knowgate-gpt@7 forgets 8.7%",
                Instant.parse("2026-05-04T08:21:05Z"), null);
    }

    public static GateEvidence gateEvidence() {
        return new GateEvidence("eval-knowgate-gpt-7-1777882600", 1, 300, 300, 287, 4, 0.0139, 0.03, 0.9767, 0.9867,
                0.9567);
    }

    /** The gate promotes version 7: its whole probe evaluation is within the limits. */
    public static ModelDecision promotion() {
        return new ModelDecision(MODEL, 7, 6L, DecisionStatus.PROMOTED, ModelDecision.BY_MONITOR,
                "forgets 1.4% (4 of 287) of the probes knowgate-gpt@1 answers, within the gate's 3.0%; "
                        + "accuracy 0.977, floor 0.957", gateEvidence(), Instant.parse("2026-05-04T08:21:04Z"));
    }

    /** An operator rejects version 7 by hand. */
    public static ModelDecision manualRejection() {
        return new ModelDecision(MODEL, 7, 6L, DecisionStatus.REJECTED, "operator:oncall",
                "rolled back: curators report wrong capitals", null, Instant.parse("2026-05-04T09:02:11Z"));
    }
}
