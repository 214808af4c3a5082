package dev.knowgate.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Points a service's directory setting (argument {@code property}, e.g. kafka-streams.state.dir or
 * knowgate.trainer.registry.dir) at a new temporary directory per test run: the tests' broker is
 * new every run, and state or model versions left by an earlier run describe topics that no longer
 * exist. Use with {@code @QuarkusTestResource(value = FreshDirResource.class, initArgs =
 * @ResourceArg(name = "property", value = "..."))}.
 */
public class FreshDirResource implements QuarkusTestResourceLifecycleManager {

    private String property;

    @Override
    public void init(Map<String, String> initArgs) {
        property = initArgs.get("property");
        if (property == null) {
            throw new IllegalArgumentException("FreshDirResource needs the init argument 'property'");
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            return Map.of(property, Files.createTempDirectory("knowgate-test-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // Left to the OS's temp cleaning.
    }
}
