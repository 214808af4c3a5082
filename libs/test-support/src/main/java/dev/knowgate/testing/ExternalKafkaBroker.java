package dev.knowgate.testing;

/** A broker someone else runs (CI service, bin/kafka); never stopped by the tests. */
record ExternalKafkaBroker(String bootstrapServers) implements KafkaBroker {

    @Override
    public String description() {
        return "external broker at " + bootstrapServers;
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
