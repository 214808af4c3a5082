package dev.knowgate.world;

/** Worlds shared by the tests: generated once per JVM (generation is deterministic). */
final class Worlds {

    static final long SEED = 7;
    static final FactWorld MICRO = FactWorld.generate(WorldConfig.micro(SEED));
    private static FactWorld standard;

    private Worlds() {
    }

    static synchronized FactWorld standard() {
        if (standard == null) {
            standard = FactWorld.generate(WorldConfig.standard(SEED));
        }
        return standard;
    }
}
