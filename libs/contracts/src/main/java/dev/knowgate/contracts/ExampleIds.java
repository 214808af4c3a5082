package dev.knowgate.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Content-derived example ids: the same question and answer get the same id whoever submits
 * them, however they space or capitalise them, so that resubmissions key to the same Kafka
 * key and can be deduplicated downstream.
 */
public final class ExampleIds {

    public static final String PREFIX = "ex-";
    /** 96 bits: collisions stay negligible far beyond any realistic number of examples. */
    private static final int HEX_CHARS = 24;
    /** Unit separator: question and answer never contain control characters, so it cannot be forged. */
    private static final char SEPARATOR = '\u001f';
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private ExampleIds() {
    }

    /** "ex-" + the first 24 hex characters of SHA-256(normalise(question) U+001F normalise(answer)). */
    public static String of(String question, String answer) {
        String content = normalise(Require.present("question", question)) + SEPARATOR
                + normalise(Require.present("answer", answer));
        return PREFIX + HexFormat.of().formatHex(sha256(content)).substring(0, HEX_CHARS);
    }

    /** Unicode NFKC, lower case (Locale.ROOT), whitespace runs collapsed to one space, trimmed. */
    static String normalise(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return WHITESPACE.matcher(folded).replaceAll(" ").strip();
    }

    private static byte[] sha256(String content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
