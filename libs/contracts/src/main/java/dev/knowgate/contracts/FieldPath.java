package dev.knowgate.contracts;

import java.util.regex.Pattern;

/**
 * Builds the JSON paths that {@link ContractViolation#field()} reports: "answer",
 * "aliases[2]", "verdict.pGreedy", and for keys that are not plain names
 * "sourceOffsets['examples.accepted-0']".
 */
public final class FieldPath {

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Keys are user data: keep paths printable and bounded. */
    private static final int MAX_KEY_LENGTH = 64;

    private FieldPath() {
    }

    /** {@code parent.name}, or {@code parent['key']} when the key is not a plain identifier. */
    public static String member(String parent, String name) {
        boolean root = parent == null || parent.isEmpty();
        if (PLAIN_NAME.matcher(name).matches()) {
            return root ? name : parent + "." + name;
        }
        return (root ? "" : parent) + "['" + escape(name) + "']";
    }

    /** {@code parent[index]}. */
    public static String index(String parent, int index) {
        return (parent == null ? "" : parent) + "[" + index + "]";
    }

    private static String escape(String key) {
        StringBuilder out = new StringBuilder();
        int shown = Math.min(key.length(), MAX_KEY_LENGTH);
        for (int i = 0; i < shown; i++) {
            char c = key.charAt(i);
            if (c == '\\' || c == '\'') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c) || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return shown < key.length() ? out.append("...").toString() : out.toString();
    }
}
