package dev.knowgate.contracts.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractSamples;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.PromptSharing;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.RoundSummary;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.contracts.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ContractJsonTest {

    @Test
    void unknownFieldsAreTolerated() {
        String json = """
                {"question":"Where was Lorin Vask born?","answer":"Tessaly",
                 "difficulty":"easy","tags":["geo",{"nested":[1,2.5,null,true]}],"reviewer":{"name":"Ilse"}}""";

        Example example = ContractJson.read(json, Example.class);

        assertThat(example).isEqualTo(Example.of("Where was Lorin Vask born?", "Tessaly"));
    }

    @Test
    void unknownFieldsAreToleratedInNestedRecords() {
        String json = ContractJson.writeString(ContractSamples.categorizedExample())
                .replace("\"timings\":{", "\"timings\":{\"gpuMs\":12,")
                .replace("\"route\":\"accepted\"", "\"route\":\"accepted\",\"policy\":{\"weaklyKnown\":\"accept\"}");

        assertThat(ContractJson.read(json, CategorizedExample.class)).isEqualTo(ContractSamples.categorizedExample());
    }

    @Test
    void absentSchemaVersionMeansCurrent() {
        Example example = ContractJson.read("{\"question\":\"Q?\",\"answer\":\"A\"}", Example.class);

        assertThat(example.schemaVersion()).isEqualTo(SchemaVersions.CURRENT);
        assertThat(ContractJson.writeString(example)).startsWith("{\"schemaVersion\":1,");
    }

    @Test
    void absentOptionalFieldsTakeTheirDefaults() {
        Example example = ContractJson.read("{\"question\":\"Q?\",\"answer\":\"A\",\"aliases\":null,\"curator\":\"\"}", Example.class);

        assertThat(example.aliases()).isEmpty();
        assertThat(example.curator()).isNull();
        assertThat(example.purpose()).isEqualTo(Purpose.TRAINING);
        assertThat(example.id()).startsWith("ex-");
    }

    @Test
    void aVerdictWrittenBeforePromptSetsWereRecordedReadsAsPerExample() {
        String json = ContractJson.writeString(ContractSamples.verdict());
        String before = json.replace("\"promptSets\":\"per-example\",", "");
        assertThat(before).doesNotContain("promptSets");
        assertThat(ContractJson.read(before, Verdict.class)).isEqualTo(ContractSamples.verdict());
        assertThat(ContractJson.read(json.replace("per-example", "per-relation"), Verdict.class).promptSets())
                .isEqualTo(PromptSharing.PER_RELATION);
        assertThat(violation(json.replace("per-example", "per-prompt"), Verdict.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("invalid_value", "promptSets");
    }

    @Test
    void nullFieldsAreOmittedAndRecordOrderKept() {
        String json = ContractJson.writeString(Example.of("Q?", "A"));

        assertThat(json).isEqualTo("{\"schemaVersion\":1,\"id\":\"" + Example.of("Q?", "A").id()
                + "\",\"question\":\"Q?\",\"answer\":\"A\",\"aliases\":[],\"purpose\":\"training\"}");
    }

    @Test
    void mapKeysAreWrittenSorted() {
        String json = ContractJson.writeString(ContractSamples.roundSummary());

        assertThat(json).contains("{\"HighlyKnown\":812,\"MaybeKnown\":655,\"WeaklyKnown\":121}");
        assertThat(json).contains("{\"examples.accepted-0\":5120,\"examples.accepted-1\":4987,\"examples.accepted-2\":5033}");
    }

    @Test
    void instantsAreIsoStringsAndOffsetsAreNormalisedToUtc() {
        String json = "{\"question\":\"Q?\",\"answer\":\"A\",\"submittedAt\":\"2026-05-04T11:30:12.418+02:00\"}";

        Example example = ContractJson.read(json, Example.class);

        assertThat(example.submittedAt()).isEqualTo(Instant.parse("2026-05-04T09:30:12.418Z"));
        assertThat(ContractJson.writeString(example)).contains("\"submittedAt\":\"2026-05-04T09:30:12.418Z\"");
    }

    @Test
    void violationsInNestedRecordsCarryTheFullPath() {
        String categorized = ContractJson.writeString(ContractSamples.categorizedExample());

        assertThat(violation(categorized.replace("\"pGreedy\":0.3", "\"pGreedy\":1.5"), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field, ContractViolation::getMessage)
                .containsExactly("invalid_value", "verdict.pGreedy", "field 'verdict.pGreedy' must be between 0 and 1, got 1.5");
        assertThat(violation(categorized.replace("\"prompts\":10,", ""), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("missing_field", "verdict.prompts");
        assertThat(violation(categorized.replace("\"prompts\":10,", "\"prompts\":null,"), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("missing_field", "verdict.prompts");
        assertThat(violation(categorized.replace("\"prompts\":10,", "\"prompts\":10.5,"), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("wrong_type", "verdict.prompts");
        assertThat(violation(categorized.replace("\"prompts\":10,", "\"prompts\":3000000000,"), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("invalid_value", "verdict.prompts");
        assertThat(violation(categorized.replace("\"fallback\":false", "\"fallback\":0"), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("wrong_type", "verdict.fallback");
        assertThat(violation(categorized.replace("\"totalMs\":455", "\"totalMs\":-1"), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("invalid_value", "verdict.timings.totalMs");
        assertThat(violation(categorized.replace("\"answer\":\"Tessaly\"", "\"answer\":\"\""), CategorizedExample.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("invalid_value", "example.answer");
    }

    @Test
    void violationsInListsAndMapsCarryTheFullPath() {
        String alert = ContractJson.writeString(ContractSamples.trendAlert());
        assertThat(violation(alert.replace("\"label\":\"knowgate-gpt@6\"", "\"label\":\"\""), Alert.class))
                .extracting(ContractViolation::field).isEqualTo("evidence[1].label");

        String model = ContractJson.writeString(ContractSamples.modelVersion());
        assertThat(violation(model.replace("\"HighlyKnown\":812", "\"Bogus\":812"), ModelVersion.class))
                .extracting(ContractViolation::code, ContractViolation::field, ContractViolation::getMessage)
                .containsExactly("invalid_value", "round.examplesByCategory",
                        "field 'round.examplesByCategory' has key 'Bogus', which is not one of "
                                + "[HighlyKnown, MaybeKnown, WeaklyKnown, Unknown]");
        assertThat(violation(model.replace("\"examples.accepted-0\":5120", "\"examples.accepted-0\":\"5120\""), ModelVersion.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("wrong_type", "round.sourceOffsets['examples.accepted-0']");
        assertThat(violation(model.replace("\"path\":\"model.onnx\"", "\"path\":\"../model.onnx\""), ModelVersion.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("invalid_value", "files[0].path");
        assertThat(violation(model.replace("\"epochs\":3", "\"epochs\":3,\"epochs\":4"), ModelVersion.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("duplicate_field", "round.epochs");
    }

    @Test
    void nullableNumbersStayStrict() {
        String alert = ContractJson.writeString(ContractSamples.alert());

        assertThat(violation(alert.replace("\"modelVersion\":7", "\"modelVersion\":\"7\""), Alert.class))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("wrong_type", "modelVersion");
        assertThat(ContractJson.read(alert.replace("\"modelVersion\":7,", ""), Alert.class).modelVersion()).isNull();
    }

    @Test
    void roundSummaryOptionalDoublesMayBeAbsent() {
        String json = "{\"roundId\":\"round-0001\",\"examples\":0,\"epochs\":0,\"wallTimeMs\":5}";

        RoundSummary round = ContractJson.read(json, RoundSummary.class);

        assertThat(round.trainLoss()).isNull();
        assertThat(round.devAccuracy()).isNull();
        assertThat(round.examplesByCategory()).isEmpty();
        assertThat(round.sourceOffsets()).isEmpty();
    }

    @Test
    void mapperIsAnIndependentCopyWithTheSameRules() throws Exception {
        JsonMapper mapper = ContractJson.mapper();
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

        // Reconfiguring the copy leaves the shared configuration alone.
        assertThat(ContractJson.read("{\"question\":\"Q?\",\"answer\":\"A\",\"x\":1}", Example.class)).isNotNull();
        JsonMapper fresh = ContractJson.mapper();
        assertThat(fresh.readValue(ContractJson.write(ContractSamples.example()), Example.class))
                .isEqualTo(ContractSamples.example());
        JacksonException failure = catchThrowableOfType(JacksonException.class,
                () -> fresh.readValue("{\"question\":42,\"answer\":\"A\"}", Example.class));
        assertThat(JacksonViolations.from(failure))
                .extracting(ContractViolation::code, ContractViolation::field)
                .containsExactly("wrong_type", "question");
        JacksonException trailing = catchThrowableOfType(JacksonException.class,
                () -> fresh.readValue("{\"question\":\"Q?\",\"answer\":\"A\"} {}", Example.class));
        assertThat(JacksonViolations.from(trailing).code()).isEqualTo("invalid_json");
    }

    @Test
    void writingNullIsAProgrammingError() {
        assertThatThrownBy(() -> ContractJson.write(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ContractJson.read((byte[]) null, Example.class)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void prettyOutputUsesUnixLineEndsAndNoTrailingNewline() {
        String pretty = ContractJson.writePrettyString(Example.of("Q?", "A"));

        assertThat(pretty).startsWith("{\n  \"schemaVersion\": 1,\n").endsWith("\n}").doesNotContain("\r");
        assertThat(pretty).contains("\"aliases\": [],");
    }

    private static ContractViolation violation(String json, Class<?> type) {
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(json, type));
        assertThat(violation).as("expected a violation reading %s", json).isNotNull();
        return violation;
    }
}
