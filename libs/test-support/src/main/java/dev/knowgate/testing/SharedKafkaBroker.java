package dev.knowgate.testing;

/** Holds the one broker of a test JVM; a shutdown hook stops it after the last test. */
final class SharedKafkaBroker {

    private static KafkaBroker broker;

    private SharedKafkaBroker() {
    }

    static synchronized KafkaBroker get() {
        if (broker == null) {
            KafkaBroker started = KafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kafka-broker-shutdown"));
            broker = started;
        }
        return broker;
    }
}
