package dev.knowgate.world;

import java.util.Locale;

/**
 * The kinds of entity the world holds. {@link #sizeFactor} scales {@link WorldConfig#entitiesPerKind()}
 * per kind: people fill several roles (born, died, married, employed, founded, wrote), genres and
 * record labels are few, as in the real world.
 */
public enum EntityKind {
    PERSON(3.0, 0),
    CITY(2.0, 0),
    COUNTRY(1.0, 0),
    COMPANY(1.0, 0),
    UNIVERSITY(0.5, 0),
    BAND(1.0, 0),
    BOOK(2.0, 0),
    GENRE(0.1, 6),
    RECORD_LABEL(0.25, 6);

    private final double sizeFactor;
    private final int minimum;

    EntityKind(double sizeFactor, int minimum) {
        this.sizeFactor = sizeFactor;
        this.minimum = minimum;
    }

    /** How many entities of this kind a world with {@code entitiesPerKind} holds. */
    public int count(int entitiesPerKind) {
        return Math.max(minimum, (int) Math.ceil(entitiesPerKind * sizeFactor));
    }

    /** Lower-case wire name ("record_label"), as written in world.json. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
