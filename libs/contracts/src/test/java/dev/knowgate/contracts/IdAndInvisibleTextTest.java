package dev.knowgate.contracts;

import dev.knowgate.contracts.json.ContractJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The id alphabet and the rule for invisible and bidi-control text (docs/contracts.md), as the
 * Example contract applies them for every entry point: ingest's REST API, knowgate-push and
 * categorize-stream all read examples through it.
 */
class IdAndInvisibleTextTest {

    /** Ids the contract refuses, each as a JSON string literal. */
    static final Map<String, String> HOSTILE_IDS = Map.ofEntries(
            Map.entry("path traversal", "../../etc/passwd"),
            Map.entry("slash", "a/b"),
            Map.entry("backslash", "a\\\\b"),
            Map.entry("URL", "https://evil.example/x?y#z"),
            Map.entry("percent-encoded dots", "%2e%2e"),
            Map.entry("at sign", "x@y"),
            Map.entry("leading dot", ".hidden"),
            Map.entry("leading dash", "-rf"),
            Map.entry("space inside", "a b"),
            Map.entry("right-to-left override", "ex-\\u202Egnp.exe"),
            Map.entry("left-to-right isolate", "ex-\\u2066a\\u2069"),
            Map.entry("zero-width space", "ex-\\u200Babc"),
            Map.entry("zero-width joiner", "ex\\u200D-1"),
            Map.entry("byte order mark", "\\uFEFFex-1"),
            Map.entry("only zero-width characters", "\\u200B\\u200C\\u200D"),
            Map.entry("accented letter", "caf\\u00e9"),
            Map.entry("Cyrillic look-alike", "\\u0435x-1"),
            Map.entry("fullwidth letters", "\\uFF45\\uFF58-1"),
            Map.entry("tag characters", "ex-1\\uDB40\\uDC41"));

    static Stream<Arguments> hostileIds() {
        return HOSTILE_IDS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> arguments(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileIds")
    void idsOutsideTheAlphabetAreInvalid(String name, String id) {
        ContractViolation v = violation("{\"id\":\"" + id + "\",\"question\":\"Q?\",\"answer\":\"A\"}");
        assertThat(v.code()).as(v.getMessage()).isEqualTo("invalid_value");
        assertThat(v.field()).isEqualTo("id");
        assertThat(v.getMessage()).contains("ASCII letters, digits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ex-26c8508bdea1b2d912c59cbc", "curated-0042", "A.b_c-1", "9", "batch7.q12"})
    void idsInTheAlphabetAreKept(String id) {
        assertThat(ContractJson.read("{\"id\":\"" + id + "\",\"question\":\"Q?\",\"answer\":\"A\"}", Example.class).id())
                .isEqualTo(id);
    }

    /** Text refused in any text field: field, JSON string literal. */
    static Stream<Arguments> hostileText() {
        return Stream.of(
                arguments("answer of only zero-width spaces", "answer", "\\u200B\\u200B"),
                arguments("answer of zero-width joiners and a BOM-less word joiner", "answer", "\\u200D\\u2060\\u200C"),
                arguments("answer of a soft hyphen and a variation selector", "answer", "\\u00AD\\uFE0F"),
                arguments("answer of Hangul fillers", "answer", "\\u3164\\u115F"),
                arguments("right-to-left override in the answer", "answer", "Tess\\u202Ealy"),
                arguments("left-to-right embedding in the question", "question", "\\u202AWhere?\\u202C"),
                arguments("first-strong isolate in an alias", "aliases[0]", "\\u2068x\\u2069"),
                arguments("byte order mark inside the question", "question", "Where\\uFEFF?"),
                arguments("tag characters spelling hidden ASCII", "subject", "Lorin\\uDB40\\uDC69\\uDB40\\uDC67"),
                arguments("interlinear annotation", "answer", "\\uFFF9x\\uFFFAy\\uFFFB"),
                arguments("noncharacter", "source", "batch\\uFFFF"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileText")
    void invisibleOnlyAndBidiControlTextIsInvalid(String name, String field, String text) {
        String member = field.equals("aliases[0]") ? "\"aliases\":[\"" + text + "\"]" : "\"" + field + "\":\"" + text + "\"";
        String doc = "{" + member
                + (field.equals("question") ? "" : ",\"question\":\"Q?\"")
                + (field.equals("answer") ? "" : ",\"answer\":\"A\"") + "}";
        ContractViolation v = violation(doc);
        assertThat(v.code()).as(v.getMessage()).isEqualTo("invalid_value");
        assertThat(v.field()).as(v.getMessage()).isEqualTo(field);
    }

    /** Scripts and emoji that need joiners and marks keep them. */
    @ParameterizedTest
    @ValueSource(strings = {
            "\\u0645\\u06CC\\u200C\\u062E\\u0648\\u0627\\u0647\\u0645", // Persian with a zero-width non-joiner
            "\\uD83D\\uDC69\\u200D\\uD83D\\uDCBB",                       // woman technologist: ZWJ sequence
            "\\u05E9\\u05DC\\u05D5\\u05DD 3\\u200F",                     // Hebrew with a right-to-left mark
            "caf\\u00e9 \\u6771\\u4EAC"})
    void joinersAndBidiMarksInRealTextAreKept(String text) {
        Example e = ContractJson.read("{\"question\":\"Q?\",\"answer\":\"" + text + "\"}", Example.class);
        assertThat(e.answer()).isEqualTo(ContractJson.read("\"" + text + "\"", String.class));
    }

    private static ContractViolation violation(String json) {
        ContractViolation v = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(json, Example.class));
        assertThat(v).as("refused: %s", json).isNotNull();
        return v;
    }
}
