package dev.knowgate.categorize;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * A new Kafka Streams state directory per test run: the tests' broker is new every run, and state
 * left by an earlier run describes changelogs that no longer exist.
 */
public class FreshStateDirResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of("kafka-streams.state.dir", Files.createTempDirectory("categorize-state").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // Left to the OS's temp cleaning; it holds a few small RocksDB stores.
    }
}
