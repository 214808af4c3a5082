package dev.knowgate.contracts.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.RejectionReason;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a document as UTF-8 and nothing else. Jackson's byte parser guesses UTF-16/32 from the
 * first bytes and decodes overlong sequences ({@code C0 AF} as '/'), so an id could smuggle
 * {@code ../} past every check made on the decoded text; the JDK's decoder refuses overlong forms,
 * encoded surrogates and code points above U+10FFFF, as RFC 3629 requires.
 */
public final class StrictUtf8 {

    private static final int SHOWN_BYTES = 4;

    private StrictUtf8() {
    }

    /**
     * The text of {@code bytes}; a leading UTF-8 byte order mark is dropped (RFC 8259 lets a
     * parser ignore it, and Jackson always did).
     *
     * @throws ContractViolation {@code invalid_json} naming the byte offset, the bytes found and,
     *                           when the valid prefix shows it, the field being read there
     */
    public static String decode(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        // UTF-8 never needs more chars than bytes.
        CharBuffer out = CharBuffer.allocate(bytes.length - start);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw violation(bytes, start, in.position(), result.length());
        }
        return out.flip().toString();
    }

    /** True when {@code bytes} is valid UTF-8 (a check for callers that keep the bytes). */
    public static boolean valid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static ContractViolation violation(byte[] bytes, int start, int offset, int length) {
        // The decoder flags only the first bad byte of C0 AF; show the continuation bytes after it too.
        int end = Math.min(bytes.length, offset + Math.max(length, 1));
        while (end < bytes.length && end < offset + SHOWN_BYTES && (bytes[end] & 0xC0) == 0x80) {
            end++;
        }
        StringBuilder found = new StringBuilder();
        for (int i = offset; i < end && i < offset + SHOWN_BYTES; i++) {
            found.append(found.isEmpty() ? "" : " ").append(String.format("%02X", bytes[i] & 0xFF));
        }
        String field = fieldAt(new String(bytes, start, offset - start, StandardCharsets.UTF_8));
        return new ContractViolation(RejectionReason.INVALID_JSON, field, "not valid UTF-8: bytes " + found
                + " at byte offset " + offset + " (overlong, truncated or otherwise malformed sequence;"
                + " only UTF-8 is accepted)");
    }

    /**
     * The path of the value the parser was in when the valid prefix ran out: the field whose
     * text holds the bad bytes. Null when the prefix does not say (bad bytes outside any value).
     */
    private static String fieldAt(String validPrefix) {
        try (JsonParser parser = new JsonFactory().createParser(validPrefix)) {
            try {
                while (parser.nextToken() != null) {
                    // Walk to where the prefix ends; the parsing context then points at the value.
                }
            } catch (Exception endOfPrefix) {
                // Expected: the prefix stops inside a value.
            }
            return JacksonViolations.contextPath(parser);
        } catch (Exception unreadable) {
            return null;
        }
    }
}
