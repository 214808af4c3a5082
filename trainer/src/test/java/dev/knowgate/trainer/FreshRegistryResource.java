package dev.knowgate.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * A new model registry per test run: the tests' broker is new every run, and versions left by an
 * earlier run were never announced on it.
 */
public class FreshRegistryResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            return Map.of("knowgate.trainer.registry.dir", Files.createTempDirectory("trainer-registry").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // Left to the OS's temp cleaning.
    }
}
