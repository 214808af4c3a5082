package dev.knowgate.world;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An invented entity: its kind and its unique name, one or more words of letters separated by
 * single spaces (so a whitespace word-level tokenizer covers it).
 */
public record Entity(EntityKind kind, String name) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z]+( [A-Za-z]+)*");

    public Entity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("entity name must be words of letters separated by single spaces: '" + name + "'");
        }
    }

    /** The name's words, in order. */
    public List<String> words() {
        return List.of(name.split(" "));
    }

    @Override
    public String toString() {
        return name + " (" + kind.wireName() + ")";
    }
}
