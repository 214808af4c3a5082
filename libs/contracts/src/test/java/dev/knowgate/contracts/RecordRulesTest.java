package dev.knowgate.contracts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The invariants each record guards, whoever builds it. */
class RecordRulesTest {

    private static final Instant AT = Instant.parse("2026-05-04T09:30:00Z");
    private static final String SHA = "a8f87ced8fcb16b5370e0afba30cb4a007e1cfcda1c1235a7bb1d5819b4ec1b4";

    @Test
    void verdictFallbackMeansTheMixedPool() {
        Verdict fellBack = verdict("mixed", true);
        assertThat(fellBack.exemplarPool()).isEqualTo(Verdict.MIXED_POOL);

        assertThat(violation(() -> verdict("birthplace", true))).isEqualTo("fallback");
        assertThat(violation(() -> verdict("mixed", false))).isEqualTo("fallback");
    }

    @Test
    void verdictRangesAreChecked() {
        Verdict v = ContractSamples.verdict();
        assertThat(violation(() -> v.withModelVersion(0))).isEqualTo("modelVersion");
        assertThat(violation(() -> v.withPrompts(0))).isEqualTo("prompts");
        assertThat(violation(() -> v.with().method(SlickMethod.SAMPLED).samplesPerPrompt(0).build()))
                .isEqualTo("samplesPerPrompt");
        assertThat(violation(() -> v.withTemperature(Double.NaN))).isEqualTo("temperature");
        assertThat(violation(() -> v.withModel("knowgate gpt"))).isEqualTo("model");
        assertThat(violation(() -> v.withTimings(null))).isEqualTo("timings");
        assertThat(v.modelKey()).isEqualTo("knowgate-gpt@7");
    }

    @Test
    void aVerdictIsBuiltByNameAndCopiedWithOneComponentChanged() {
        Verdict v = ContractSamples.verdict();
        Verdict built = Verdict.builder().exampleId(v.exampleId()).model(v.model()).modelVersion(7)
                .category(Category.MAYBE_KNOWN).pGreedy(0.3).pSampled(0.184302).method(SlickMethod.EXACT).prompts(10)
                .shots(4).samplesPerPrompt(16).temperature(0.5).topK(40)
                .promptSets(PromptSharing.PER_EXAMPLE).exemplarPool("birthplace").fallback(false)
                .timings(v.timings()).computedAt(v.computedAt()).evidence(null).build();
        assertThat(built).isEqualTo(v);
        assertThat(v.withShots(2).shots()).isEqualTo(2);
        assertThat(v.withShots(2)).isEqualTo(new Verdict(v.exampleId(), v.model(), 7, Category.MAYBE_KNOWN, 0.3,
                0.184302, SlickMethod.EXACT, 10, 2, 16, 0.5, 40, PromptSharing.PER_EXAMPLE, "birthplace", false, v.timings(),
                v.computedAt(), null));
    }

    @Test
    void categorizedExampleKeepsVerdictAndExampleTogether() {
        Example other = Example.of("Who founded Halvorsen Ironworks?", "Edda Marrow");

        assertThat(violation(() -> new CategorizedExample(other, ContractSamples.verdict(), Route.ACCEPTED)))
                .isEqualTo("verdict.exampleId");
    }

    @Test
    void probesAreRoutedAsProbesAndOnlyProbesAre() {
        Example probe = ContractSamples.example().withPurpose(Purpose.PROBE);
        Verdict verdict = ContractSamples.verdict();

        assertThat(new CategorizedExample(probe, verdict, Route.PROBE).route()).isEqualTo(Route.PROBE);
        assertThat(violation(() -> new CategorizedExample(probe, verdict, Route.ACCEPTED))).isEqualTo("route");
        assertThat(violation(() -> new CategorizedExample(ContractSamples.example(), verdict, Route.PROBE))).isEqualTo("route");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "../model.onnx", "onnx/../../x", "a//b", "./model.onnx", "model.onnx/",
            "C:model.onnx", "onnx\\model.onnx", "", " "})
    void modelFilePathsCannotEscapeTheFolder(String path) {
        assertThat(violation(() -> new ModelFile(path, SHA, 1))).isEqualTo("path");
    }

    @Test
    void modelFileChecksumsAreLowerCaseSha256() {
        assertThat(new ModelFile("onnx/model.onnx", SHA, 0).path()).isEqualTo("onnx/model.onnx");
        assertThat(violation(() -> new ModelFile("model.onnx", SHA.toUpperCase(), 1))).isEqualTo("sha256");
        assertThat(violation(() -> new ModelFile("model.onnx", SHA.substring(1), 1))).isEqualTo("sha256");
        assertThat(violation(() -> new ModelFile("model.onnx", SHA, -1))).isEqualTo("bytes");
    }

    @Test
    void modelVersionFilesAreSortedUniqueAndExcludeTheManifest() {
        ModelVersion model = ContractSamples.modelVersion();
        assertThat(model.files()).extracting(ModelFile::path).containsExactly("model.onnx", "tokenizer.json");
        assertThat(model.file("tokenizer.json")).isPresent();
        assertThat(model.file("config.json")).isEmpty();

        assertThat(violation(() -> withFiles(List.of()))).isEqualTo("files");
        assertThat(violation(() -> withFiles(List.of(new ModelFile("model.onnx", SHA, 1), new ModelFile("model.onnx", SHA, 2)))))
                .isEqualTo("files[1].path");
        assertThat(violation(() -> withFiles(List.of(new ModelFile(ModelVersion.MANIFEST_FILE, SHA, 1)))))
                .isEqualTo("files[0].path");
    }

    @Test
    void modelVersionLineageGoesBackwards() {
        ModelVersion m = ContractSamples.modelVersion();
        assertThat(violation(() -> new ModelVersion(1, m.name(), 7, 7L, m.architecture(), m.files(), m.promptTemplate(),
                m.answerTerminator(), m.createdAt(), null, null))).isEqualTo("parent");
        assertThat(violation(() -> new ModelVersion(1, m.name(), 0, null, m.architecture(), m.files(), m.promptTemplate(),
                m.answerTerminator(), m.createdAt(), null, null))).isEqualTo("version");
    }

    @Test
    void modelVersionKeyAndLocation() {
        ModelVersion manifest = ContractSamples.baseModelManifest();

        assertThat(manifest.key()).isEqualTo("knowgate-gpt@1");
        assertThat(ModelVersion.keyOf("knowgate-gpt", 7)).isEqualTo("knowgate-gpt@7");
        ModelVersion published = manifest.withLocation("file:///var/lib/knowgate/registry/knowgate-gpt/1");
        assertThat(published.location()).isEqualTo("file:///var/lib/knowgate/registry/knowgate-gpt/1");
        assertThat(published.withLocation(null)).isEqualTo(manifest);
    }

    @Test
    void roundSummaryOffsetsAreTopicPartitions() {
        assertThat(RoundSummary.offsetKey("examples.accepted", 3)).isEqualTo("examples.accepted-3");
        assertThat(violation(() -> new RoundSummary("round-1", Map.of(), 0, 0, null, null, 0, Map.of("examples.accepted", 4L), null, null, null)))
                .isEqualTo("sourceOffsets");
        assertThat(violation(() -> new RoundSummary("round-1", Map.of(Category.UNKNOWN, -1), 0, 0, null, null, 0, Map.of(), null, null, null)))
                .isEqualTo("examplesByCategory.Unknown");
        assertThat(violation(() -> new RoundSummary("round-1", Map.of(), 0, 0, null, 1.2, 0, Map.of(), null, null, null)))
                .isEqualTo("devAccuracy");
        assertThat(violation(() -> new RoundSummary("round-1", Map.of(), 0, 0, Double.POSITIVE_INFINITY, null, 0, Map.of(), null, null, null)))
                .isEqualTo("trainLoss");
    }

    @Test
    void roundSummaryMapsAreOrderedImmutableCopies() {
        RoundSummary round = ContractSamples.roundSummary();

        assertThat(round.examplesByCategory().keySet())
                .containsExactly(Category.HIGHLY_KNOWN, Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN);
        assertThat(round.sourceOffsets().keySet())
                .containsExactly("examples.accepted-0", "examples.accepted-1", "examples.accepted-2");
        assertThat(catchThrowableOfType(UnsupportedOperationException.class,
                () -> round.sourceOffsets().put("x-0", 1L))).isNotNull();
    }

    @Test
    void rejectedRecordPayloadIsTruncatedWithAMarker() {
        String huge = "{\"question\":\"" + "é".repeat(10_000) + "\"}";

        RejectedRecord rejected = new RejectedRecord("too_long", "question", "too long", huge, "examples.submitted", 0, 1, AT);

        assertThat(rejected.payload()).hasSize(RejectedRecord.MAX_PAYLOAD_LENGTH)
                .startsWith("{\"question\":\"éé")
                .endsWith("...[truncated, " + huge.length() + " characters in all]");
        // Idempotent, so the record survives a JSON round trip unchanged.
        assertThat(new RejectedRecord("too_long", "question", "too long", rejected.payload(), "examples.submitted", 0, 1, AT))
                .isEqualTo(rejected);
    }

    @Test
    void rejectedRecordNeverSplitsASurrogatePair() {
        String emoji = "\uD83C\uDF0A".repeat(3_000);

        String payload = new RejectedRecord("invalid_json", null, "bad", emoji, "t", 0, 0, AT).payload();

        assertThat(payload.codePoints().filter(cp -> Character.isSurrogate((char) cp)).count()).isZero();
    }

    @Test
    void rejectedRecordFromAViolation() {
        ContractViolation violation = ContractViolation.missing("answer");
        byte[] payload = {'{', '"', 'q', '"', ':', (byte) 0xFF, '}'};

        RejectedRecord rejected = RejectedRecord.of(violation, payload, "examples.submitted", 2, 99, AT);

        assertThat(rejected.reason()).isEqualTo("missing_field");
        assertThat(rejected.field()).isEqualTo("answer");
        assertThat(rejected.message()).isEqualTo("missing required field 'answer'");
        assertThat(rejected.payload()).isEqualTo(new String(payload, StandardCharsets.UTF_8)).contains("\uFFFD");
        assertThat(RejectedRecord.of(violation, null, "examples.submitted", 2, 99, AT).payload()).isNull();
        assertThat(violation(() -> new RejectedRecord("Wrong Type", null, "m", null, "t", 0, 0, AT))).isEqualTo("reason");
        assertThat(violation(() -> new RejectedRecord("wrong_type", null, "m", null, "t", 0, -1, AT))).isEqualTo("offset");
    }

    @Test
    void alertStatusAndResolutionAgree() {
        Alert firing = ContractSamples.alert();
        Alert resolved = firing.resolve(AT.plusSeconds(3_600));

        assertThat(resolved.status()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.id()).isEqualTo(firing.id());
        assertThat(violation(() -> firing.resolve(firing.firedAt().minusSeconds(1)))).isEqualTo("resolvedAt");
        assertThat(violation(() -> new Alert(firing.id(), firing.kind(), AlertStatus.RESOLVED, firing.metric(), firing.model(),
                null, 0.1, null, 0.0, 0.05, null, "m", AT, null))).isEqualTo("resolvedAt");
        assertThat(violation(() -> new Alert(firing.id(), firing.kind(), AlertStatus.FIRING, firing.metric(), firing.model(),
                null, 0.1, null, 0.0, 0.05, null, "m", AT, AT))).isEqualTo("resolvedAt");
        assertThat(violation(() -> new Alert(firing.id(), firing.kind(), AlertStatus.FIRING, firing.metric(), firing.model(),
                null, 0.1, null, 0.0, 0.05, java.util.Arrays.asList(new EvidencePoint("a", 1), null), "m", AT, null)))
                .isEqualTo("evidence[1]");
    }

    @Test
    void probeResultNamesTheVersion() {
        ProbeResult result = ContractSamples.probeResult();

        assertThat(result.modelKey()).isEqualTo("knowgate-gpt@7");
        assertThat(violation(() -> new ProbeResult(result.probeId(), " ", result.model(), 7, Category.UNKNOWN, 0, 0, false, AT)))
                .isEqualTo("evaluationId");
    }

    @Test
    void violationsComposeUnderParents() {
        ContractViolation leaf = ContractViolation.invalid("pGreedy", "must be between 0 and 1, got 2.0");

        assertThat(leaf.under("verdict").field()).isEqualTo("verdict.pGreedy");
        assertThat(leaf.under("verdict").getMessage()).isEqualTo("field 'verdict.pGreedy' must be between 0 and 1, got 2.0");
        assertThat(ContractViolation.invalid("[2]", "x").under("aliases").field()).isEqualTo("aliases[2]");
        assertThat(ContractViolation.invalid(null, "x").under("purpose").field()).isEqualTo("purpose");
        assertThat(leaf.under(null)).isSameAs(leaf);
        assertThat(FieldPath.member("sourceOffsets", "it's\n")).isEqualTo("sourceOffsets['it\\'s\\u000A']");
    }

    private static ModelVersion withFiles(List<ModelFile> files) {
        ModelVersion m = ContractSamples.baseModelManifest();
        return new ModelVersion(1, m.name(), 1, null, m.architecture(), files, m.promptTemplate(), m.answerTerminator(),
                m.createdAt(), null, null);
    }

    private static Verdict verdict(String pool, boolean fallback) {
        Verdict v = ContractSamples.verdict();
        return v.with().category(Category.WEAKLY_KNOWN).pGreedy(0.0).pSampled(0.1).method(SlickMethod.SAMPLED)
                .exemplarPool(pool).fallback(fallback).computedAt(AT).build();
    }

    /** The field the violation names. */
    private static String violation(Executable construction) {
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, construction::execute);
        assertThat(violation).as("expected a ContractViolation").isNotNull();
        return violation.field();
    }

    @Test
    void aDecisionNamesWhoDecidedAndAnEarlierParent() {
        ModelDecision d = ContractSamples.promotion();

        assertThat(d.key()).isEqualTo("knowgate-gpt@7");
        assertThat(d.byOperator()).isFalse();
        assertThat(ContractSamples.manualRejection().byOperator()).isTrue();
        assertThat(violation(() -> new ModelDecision(d.model(), 7, 7L, d.status(), d.decidedBy(), d.reason(), null, AT)))
                .isEqualTo("parent");
        assertThat(violation(() -> new ModelDecision(d.model(), 7, 6L, d.status(), "cron", d.reason(), null, AT)))
                .isEqualTo("decidedBy");
        assertThat(violation(() -> new ModelDecision(d.model(), 7, 6L, d.status(), "operator:", d.reason(), null, AT)))
                .isEqualTo("decidedBy");
        assertThat(violation(() -> new ModelDecision(d.model(), 7, 6L, null, d.decidedBy(), d.reason(), null, AT)))
                .isEqualTo("status");
    }

    @Test
    void gateEvidenceCountsAreConsistent() {
        GateEvidence e = ContractSamples.gateEvidence();

        assertThat(e.complete()).isTrue();
        assertThat(violation(() -> new GateEvidence(e.evaluationId(), 1, 300, 300, 10, 11, 1.0, 0.03, 0.9, 0.9, 0.8)))
                .isEqualTo("forgotten");
        assertThat(violation(() -> new GateEvidence(e.evaluationId(), 1, 300, 300, 10, 1, 0.1, 1.5, 0.9, 0.9, 0.8)))
                .isEqualTo("maxForgettingRate");
        assertThat(new GateEvidence(e.evaluationId(), 1, 300, 231, 10, 1, 0.1, 0.03, 0.9, 0.9, 0.8).complete()).isFalse();
    }

    @Test
    void learnedCountsNeverExceedWhatWasTrained() {
        assertThat(new LearnedCount(3, 4).share()).isEqualTo(0.75);
        assertThat(new LearnedCount(0, 0).share()).isZero();
        assertThat(violation(() -> new LearnedCount(5, 4))).isEqualTo("answered");
        RoundSummary r = ContractSamples.roundSummary();
        assertThat(r.lineageLearned(java.util.EnumSet.of(Category.MAYBE_KNOWN, Category.WEAKLY_KNOWN)))
                .isEqualTo(new LearnedCount(3_930, 4_390));
    }
}
