package dev.knowgate.categorize.model;

import dev.knowgate.contracts.ModelVersion;

import java.util.Optional;

/** A model version by name and number. */
public record ModelRef(String name, long version) {

    public String key() {
        return ModelVersion.keyOf(name, version);
    }

    /** Parses name@version; empty when the text is not of that form. */
    public static Optional<ModelRef> parse(String key) {
        if (key == null) {
            return Optional.empty();
        }
        int at = key.lastIndexOf('@');
        if (at <= 0 || at == key.length() - 1) {
            return Optional.empty();
        }
        try {
            long version = Long.parseLong(key.substring(at + 1));
            return version >= 1 ? Optional.of(new ModelRef(key.substring(0, at), version))
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
