package dev.knowgate.contracts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The field rules the record constructors share, each failing with a {@link ContractViolation}
 * that names the field, so Java callers and JSON readers get the same checks and messages.
 */
final class Require {

    /**
     * Example ids become Kafka keys, file names, URL path segments and log lines: ASCII letters,
     * digits, '.', '_' and '-', starting with a letter or digit. No '/', '\\', ':', '%', '?', '#',
     * '@', whitespace or anything outside ASCII, so no path, URL or look-alike can hide in one.
     */
    private static final Pattern EXAMPLE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Registry names end up in Kafka keys (name@version) and folder names: keep them a slug. */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final int MAX_MODEL_NAME_LENGTH = 128;

    private Require() {
    }

    static <T> T present(String field, T value) {
        if (value == null) {
            throw ContractViolation.missing(field);
        }
        return value;
    }

    /** Required single-line text: no control characters, no line breaks, not blank. */
    static String line(String field, String value, int maxLength) {
        present(field, value);
        maxLength(field, value, maxLength);
        notBlank(field, value);
        scan(field, value, false);
        return value;
    }

    /** Optional single-line text; blank counts as absent so that "" and a missing field mean the same. */
    static String optionalLine(String field, String value, int maxLength) {
        return value == null || blank(value) ? null : line(field, value, maxLength);
    }

    /** Required multi-line text (templates, alert messages): tabs and line breaks allowed, other controls not. */
    static String text(String field, String value, int maxLength) {
        present(field, value);
        maxLength(field, value, maxLength);
        notBlank(field, value);
        scan(field, value, true);
        return value;
    }

    /** Required, may be pure whitespace (an answer terminator is often "\n"), must not be empty. */
    static String nonEmpty(String field, String value, int maxLength) {
        present(field, value);
        maxLength(field, value, maxLength);
        if (value.isEmpty()) {
            throw ContractViolation.invalid(field, "must not be empty");
        }
        scan(field, value, true);
        return value;
    }

    /** An identifier: printable, no whitespace (ids become Kafka keys, file names and URL segments). */
    static String token(String field, String value, int maxLength) {
        line(field, value, maxLength);
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i)) || Character.isSpaceChar(value.charAt(i))) {
                throw ContractViolation.invalid(field, "must not contain whitespace (found at index " + i + ")");
            }
        }
        return value;
    }

    /** An example id: see {@link #EXAMPLE_ID}. */
    static String exampleId(String field, String value, int maxLength) {
        present(field, value);
        maxLength(field, value, maxLength);
        if (!EXAMPLE_ID.matcher(value).matches()) {
            throw ContractViolation.invalid(field, "must be an id of ASCII letters, digits, '.', '_' or '-', starting with"
                    + " a letter or digit, got " + quote(value) + firstOffending(value));
        }
        return value;
    }

    private static String firstOffending(String value) {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            boolean ok = cp < 128 && (Character.isLetterOrDigit(cp) || (i > 0 && (cp == '.' || cp == '_' || cp == '-')));
            if (!ok) {
                return " (" + String.format("U+%04X", cp) + " at index " + i + ")";
            }
            i += Character.charCount(cp);
        }
        return "";
    }

    static String modelName(String field, String value) {
        present(field, value);
        maxLength(field, value, MAX_MODEL_NAME_LENGTH);
        if (!MODEL_NAME.matcher(value).matches()) {
            throw ContractViolation.invalid(field,
                    "must be a model name of letters, digits, '.', '_' or '-', starting with a letter or digit, got "
                            + quote(value));
        }
        return value;
    }

    static double probability(String field, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw ContractViolation.invalid(field, "must be between 0 and 1, got " + value);
        }
        return value;
    }

    static double finite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw ContractViolation.invalid(field, "must be a finite number, got " + value);
        }
        return value;
    }

    static long atLeast(String field, long value, long min) {
        if (value < min) {
            throw ContractViolation.invalid(field, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    static double atLeast(String field, double value, double min) {
        if (!(value >= min)) {
            throw ContractViolation.invalid(field, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    static int atLeast(String field, int value, int min) {
        if (value < min) {
            throw ContractViolation.invalid(field, "must be at least " + min + ", got " + value);
        }
        return value;
    }

    /**
     * An immutable copy of an optional list (null means empty) without null elements, whose
     * elements each pass {@code element}, called with the element's path ("aliases[2]") and value.
     */
    static <T> List<T> list(String field, List<T> values, int maxSize, BiFunction<String, T, T> element) {
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        if (values.size() > maxSize) {
            throw ContractViolation.tooLong(field, "has " + values.size() + " entries; the limit is " + maxSize);
        }
        List<T> copy = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String path = FieldPath.index(field, i);
            T value = values.get(i);
            if (value == null) {
                throw ContractViolation.wrongType(path, "must not be null");
            }
            copy.add(element.apply(path, value));
        }
        return Collections.unmodifiableList(copy);
    }

    static String quote(String value) {
        return ContractViolation.quote(value);
    }

    private static void maxLength(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw ContractViolation.tooLong(field,
                    "is " + value.length() + " characters long; the limit is " + maxLength);
        }
    }

    private static void notBlank(String field, String value) {
        if (blank(value)) {
            throw ContractViolation.invalid(field, "must not be blank");
        }
    }

    /**
     * Blank by Unicode's lights too: a no-break space alone is no answer, and neither is a run of
     * zero-width or other invisible characters.
     */
    private static boolean blank(String value) {
        return value.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp) || invisible(cp));
    }

    /**
     * Characters that render as nothing: format characters (zero-width space, joiners, word joiner,
     * bidi marks, BOM, soft hyphen), variation selectors, the combining grapheme joiner and the
     * Hangul and Braille fillers that look like space.
     */
    static boolean invisible(int cp) {
        return Character.getType(cp) == Character.FORMAT
                || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF)
                || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800
                || (cp >= 0x180B && cp <= 0x180F);
    }

    /**
     * Characters refused in every text field: they change what a reader sees without being seen.
     * Bidi embeddings, overrides and isolates reorder the display ("Trojan Source"); the BOM and
     * interlinear annotation marks have no place inside a value; tag characters spell hidden ASCII;
     * noncharacters are not for interchange. Zero-width joiners and non-joiners and the bidi
     * marks (LRM, RLM, ALM) stay allowed: Persian, Indic scripts, emoji and mixed-direction text need them.
     */
    private static String forbiddenFormat(int cp) {
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
            return "a bidirectional override, embedding or isolate";
        }
        if (cp == 0xFEFF) {
            return "a byte order mark";
        }
        if (cp >= 0xFFF9 && cp <= 0xFFFB) {
            return "an interlinear annotation character";
        }
        if (cp >= 0x206A && cp <= 0x206F) {
            return "a deprecated format character";
        }
        if (cp >= 0xE0000 && cp <= 0xE007F) {
            return "a tag character";
        }
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return "a noncharacter";
        }
        return null;
    }

    private static void scan(String field, String value, boolean multiLine) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(i + 1));
                String forbidden = forbiddenFormat(cp);
                if (forbidden != null) {
                    throw ContractViolation.invalid(field, "contains " + forbidden + " " + String.format("U+%04X", cp)
                            + " at index " + i);
                }
                i++;
                continue;
            }
            String forbidden = forbiddenFormat(c);
            if (forbidden != null) {
                throw ContractViolation.invalid(field, "contains " + forbidden + " " + codePoint(c) + " at index " + i);
            }
            if (Character.isSurrogate(c)) {
                throw ContractViolation.invalid(field, "contains an unpaired surrogate " + codePoint(c) + " at index " + i);
            }
            if (multiLine && (c == '\n' || c == '\r' || c == '\t')) {
                continue;
            }
            if (!multiLine && lineBreak(c)) {
                throw ContractViolation.invalid(field,
                        "contains a line break " + codePoint(c) + " at index " + i + "; it must be a single line");
            }
            if (Character.isISOControl(c)) {
                throw ContractViolation.invalid(field, "contains a control character " + codePoint(c) + " at index " + i);
            }
        }
    }

    private static boolean lineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u000B' || c == '\u000C' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }
}
