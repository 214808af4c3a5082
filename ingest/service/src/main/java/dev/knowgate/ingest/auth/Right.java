package dev.knowgate.ingest.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What an API key allows. */
public enum Right {
    /** Push training examples. */
    SUBMIT,
    /** Push probe examples (purpose=probe), which steer what the monitor measures. */
    PROBE;

    /** A comma-separated list; {@code none} stands for no right (an empty value would mean the default). */
    static Set<Right> parse(String list, String where) {
        Set<Right> rights = EnumSet.noneOf(Right.class);
        for (String name : list.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
                continue;
            }
            try {
                rights.add(valueOf(trimmed.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": unknown right '" + trimmed + "' (known: "
                        + Arrays.stream(values()).map(r -> r.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")) + ")");
            }
        }
        return rights;
    }
}
