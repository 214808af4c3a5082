package dev.knowgate.contracts.json;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every way a submitted example can be wrong, with the reason code and field path it must be rejected with. */
class MalformedExampleTest {

    private static final String QUESTION = "'question':'Where was Lorin Vask born?'";
    private static final String ANSWER = "'answer':'Tessaly'";

    static Stream<Arguments> malformed() {
        return Stream.of(
                arguments("missing question", doc(ANSWER), "missing_field", "question"),
                arguments("missing answer", doc(QUESTION), "missing_field", "answer"),
                arguments("null answer", doc(QUESTION, "'answer':null"), "missing_field", "answer"),
                arguments("blank answer", doc(QUESTION, "'answer':' \\t '"), "invalid_value", "answer"),
                arguments("question as number", doc("'question':42", ANSWER), "wrong_type", "question"),
                arguments("question as object", doc("'question':{'text':'Where?'}", ANSWER), "wrong_type", "question"),
                arguments("answer as boolean", doc(QUESTION, "'answer':true"), "wrong_type", "answer"),
                arguments("aliases as string", doc(QUESTION, ANSWER, "'aliases':'Tessaly City'"), "wrong_type", "aliases"),
                arguments("aliases[1] as number", doc(QUESTION, ANSWER, "'aliases':['Tessaly City',7]"), "wrong_type", "aliases[1]"),
                arguments("aliases[1] null", doc(QUESTION, ANSWER, "'aliases':['Tessaly City',null]"), "wrong_type", "aliases[1]"),
                arguments("aliases[0] blank", doc(QUESTION, ANSWER, "'aliases':['']"), "invalid_value", "aliases[0]"),
                arguments("unknown purpose", doc(QUESTION, ANSWER, "'purpose':'finetune'"), "invalid_value", "purpose"),
                arguments("purpose as number", doc(QUESTION, ANSWER, "'purpose':1"), "wrong_type", "purpose"),
                arguments("schemaVersion 2", doc("'schemaVersion':2", QUESTION, ANSWER), "unsupported_schema_version", "schemaVersion"),
                arguments("schemaVersion 2, other errors too", doc("'question':42", "'schemaVersion':2"),
                        "unsupported_schema_version", "schemaVersion"),
                arguments("schemaVersion as string", doc("'schemaVersion':'1'", QUESTION, ANSWER), "wrong_type", "schemaVersion"),
                arguments("schemaVersion as fraction", doc("'schemaVersion':1.5", QUESTION, ANSWER), "wrong_type", "schemaVersion"),
                arguments("trailing garbage", doc(QUESTION, ANSWER) + " xyz", "invalid_json", null),
                arguments("second document", doc(QUESTION, ANSWER) + doc(QUESTION, ANSWER), "invalid_json", null),
                arguments("duplicate key", doc(QUESTION, ANSWER, "'answer':'Tessaly City'"), "duplicate_field", "answer"),
                arguments("unterminated string", "{\"question\":\"Where was Lorin Vask born?\",\"answer\":\"Tess", "invalid_json", "answer"),
                arguments("not JSON at all", "Where was Lorin Vask born? Tessaly", "invalid_json", null),
                arguments("empty document", "", "invalid_json", null),
                arguments("array instead of object", "[" + doc(QUESTION, ANSWER) + "]", "wrong_type", null),
                arguments("null document", "null", "wrong_type", null),
                arguments("control character in answer", doc(QUESTION, "'answer':'Tess\\u0007aly'"), "invalid_value", "answer"),
                arguments("raw control character in JSON", doc(QUESTION, "'answer':'Tess\u0007aly'"), "invalid_json", "answer"),
                arguments("newline in question", doc("'question':'Where was\\nLorin Vask born?'", ANSWER), "invalid_value", "question"),
                arguments("unpaired surrogate in answer", doc(QUESTION, "'answer':'Tess\\ud800aly'"), "invalid_value", "answer"),
                arguments("submittedAt not a date", doc(QUESTION, ANSWER, "'submittedAt':'yesterday'"), "invalid_value", "submittedAt"),
                arguments("submittedAt as epoch number", doc(QUESTION, ANSWER, "'submittedAt':1777887012"), "wrong_type", "submittedAt"),
                arguments("id with whitespace", doc("'id':'lorin vask'", QUESTION, ANSWER), "invalid_value", "id"),
                arguments("question too long", doc("'question':'" + "?".repeat(Example.MAX_QUESTION_LENGTH + 1) + "'", ANSWER),
                        "too_long", "question"),
                arguments("too many aliases", doc(QUESTION, ANSWER, "'aliases':[" + "'x',".repeat(Example.MAX_ALIASES) + "'x']"),
                        "too_long", "aliases"),
                arguments("nesting too deep in an unknown field",
                        doc(QUESTION, ANSWER, "'extra':" + "[".repeat(ContractJson.MAX_NESTING_DEPTH + 1) + "]".repeat(ContractJson.MAX_NESTING_DEPTH + 1)),
                        "too_long", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRejectedWithReasonAndField(String name, String json, String reason, String field) {
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(json, Example.class));

        assertThat(violation).as("violation for %s", json).isNotNull();
        assertThat(violation.code()).as(violation.getMessage()).isEqualTo(reason);
        assertThat(violation.field()).as(violation.getMessage()).isEqualTo(field);
        if (field != null && !reason.equals("unsupported_schema_version")) {
            assertThat(violation.getMessage()).contains("'" + field + "'");
        }
        assertThat(violation.getMessage()).doesNotContain("dev.knowgate", "java.lang", "`");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRejectedTheSameFromBytes(String name, String json, String reason, String field) {
        ContractViolation violation = catchThrowableOfType(ContractViolation.class,
                () -> ContractJson.read(json.getBytes(StandardCharsets.UTF_8), Example.class));

        assertThat(violation.code()).isEqualTo(reason);
        assertThat(violation.field()).isEqualTo(field);
    }

    @Test
    void messagesReadAsTheContractDocumentsThem() {
        assertThat(message(doc(ANSWER))).isEqualTo("missing required field 'question'");
        assertThat(message(doc("'question':42", ANSWER))).isEqualTo("field 'question' must be a string, got number 42");
        assertThat(message(doc("'schemaVersion':7", QUESTION, ANSWER))).isEqualTo("unsupported schemaVersion 7 (this build reads 1)");
        assertThat(message(doc(QUESTION, ANSWER, "'purpose':'finetune'")))
                .isEqualTo("field 'purpose' must be one of [training, probe], got 'finetune'");
        assertThat(message(doc(QUESTION, "'answer':'Tess\\u0007aly'")))
                .isEqualTo("field 'answer' contains a control character U+0007 at index 4");
    }

    @Test
    void sizeLimitsAreReportedWithoutJacksonInternals() {
        String deep = doc(QUESTION, ANSWER, "'extra':" + "[".repeat(40) + "]".repeat(40));
        assertThat(message(deep)).isEqualTo("value exceeds the reader's limits: "
                + "Document nesting depth (" + (ContractJson.MAX_NESTING_DEPTH + 1) + ") exceeds the maximum allowed ("
                + ContractJson.MAX_NESTING_DEPTH + ")");
    }

    @Test
    void invalidUtf8IsInvalidJson() {
        byte[] payload = "{\"question\":\"Where?\",\"answer\":\"Tess?aly\"}".getBytes(StandardCharsets.UTF_8);
        payload[35] = (byte) 0xC3; // a lead byte followed by an ASCII letter
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(payload, Example.class));
        assertThat(violation.code()).isEqualTo("invalid_json");
    }

    /**
     * Bytes that are not UTF-8, each with the field they sit in. Before strict decoding, Jackson
     * read the overlong forms as '/' (so an id became "../x") and guessed UTF-16/32 from the first bytes.
     */
    static Stream<Arguments> notUtf8() {
        return Stream.of(
                arguments("2-byte overlong '/' in id", utf8("{\"id\":\".."), bytes(0xC0, 0xAF), utf8("x\"," + QA + "}"), "id"),
                arguments("3-byte overlong '/' in id", utf8("{\"id\":\".."), bytes(0xE0, 0x80, 0xAF), utf8("x\"," + QA + "}"), "id"),
                arguments("4-byte overlong '/' in answer", utf8("{\"question\":\"Q?\",\"answer\":\""), bytes(0xF0, 0x80, 0x80, 0xAF),
                        utf8("\"}"), "answer"),
                arguments("encoded surrogate (CESU-8) in alias", utf8("{" + QA + ",\"aliases\":[\"a\",\""), bytes(0xED, 0xA0, 0x80),
                        utf8("\"]}"), "aliases[1]"),
                arguments("above U+10FFFF in question", utf8("{\"question\":\""), bytes(0xF4, 0x90, 0x80, 0x80), utf8("\",\"answer\":\"A\"}"),
                        "question"),
                arguments("lone continuation byte in question", utf8("{\"question\":\""), bytes(0x80), utf8("\",\"answer\":\"A\"}"),
                        "question"),
                arguments("truncated sequence at the end", utf8("{" + QA + "}"), bytes(0xE2, 0x82), new byte[0], null),
                arguments("UTF-16BE with a byte order mark", new byte[0], bytes(0xFE, 0xFF), ("{" + QA + "}").getBytes(StandardCharsets.UTF_16BE), null),
                arguments("UTF-16LE with a byte order mark", new byte[0], bytes(0xFF, 0xFE), ("{" + QA + "}").getBytes(StandardCharsets.UTF_16LE), null),
                arguments("UTF-32BE with a byte order mark", bytes(0x00, 0x00), bytes(0xFE, 0xFF), ("{" + QA + "}").getBytes(Charset.forName("UTF-32BE")),
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void bytesThatAreNotUtf8AreInvalidJsonNamingTheField(String name, byte[] before, byte[] bad, byte[] after, String field) {
        byte[] payload = concat(before, bad, after);
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(payload, Example.class));

        assertThat(violation).as(name).isNotNull();
        assertThat(violation.code()).as(violation.getMessage()).isEqualTo("invalid_json");
        assertThat(violation.field()).as(violation.getMessage()).isEqualTo(field);
        assertThat(violation.getMessage()).contains("not valid UTF-8", "byte offset " + before.length);
    }

    /** UTF-16/32 without a byte order mark decode as UTF-8 full of NULs, which JSON does not allow. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("otherEncodings")
    void otherEncodingsWithoutAByteOrderMarkAreInvalidJson(String charset) {
        byte[] payload = ("{" + QA + "}").getBytes(Charset.forName(charset));
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(payload, Example.class));
        assertThat(violation.code()).as(violation.getMessage()).isEqualTo("invalid_json");
    }

    static Stream<String> otherEncodings() {
        return Stream.of("UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE");
    }

    @Test
    void aUtf8ByteOrderMarkIsIgnoredAndRealNonAsciiTextIsKept() {
        Example e = ContractJson.read(concat(bytes(0xEF, 0xBB, 0xBF),
                utf8("{\"question\":\"Où est né Łukasz? 東京\",\"answer\":\"Kraków 🏙\"}"), new byte[0]), Example.class);
        assertThat(e.answer()).isEqualTo("Kraków 🏙");
        assertThat(e.question()).isEqualTo("Où est né Łukasz? 東京");
    }

    private static final String QA = "\"question\":\"Q?\",\"answer\":\"A\"";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        return all;
    }

    private static String message(String json) {
        return catchThrowableOfType(ContractViolation.class, () -> ContractJson.read(json, Example.class)).getMessage();
    }

    /** A JSON object from members written with single quotes, for readability. */
    private static String doc(String... members) {
        return "{" + String.join(",", members).replace('\'', '"') + "}";
    }
}
