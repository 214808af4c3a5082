package dev.knowgate.testing;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

import java.util.List;

/**
 * Whether the container tests can run here: a Docker API (Docker, or podman's Docker-compatible
 * service, found through {@code DOCKER_HOST}) and the images {@code docker/build-images} builds.
 *
 * <p>Where the container tests are required ({@code KNOWGATE_CONTAINER_TESTS=required} in the
 * environment, or the system property {@code knowgate.test.containers=required}; {@code .ci/run} sets
 * it) a missing engine or image fails the test. Elsewhere the test is skipped, and says why.
 */
public final class ContainerEngine {

    public static final String ENV_REQUIRED = "KNOWGATE_CONTAINER_TESTS";
    public static final String PROP_REQUIRED = "knowgate.test.containers";

    private ContainerEngine() {
    }

    /** True when a Docker API answers. */
    public static boolean available() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** True when this run must run the container tests (CI). */
    public static boolean required() {
        return "required".equalsIgnoreCase(System.getProperty(PROP_REQUIRED, System.getenv(ENV_REQUIRED)));
    }

    /**
     * Skips the calling test (or fails it, where required) unless an engine answers and holds every
     * image named.
     */
    public static void assumeImages(String... images) {
        if (!available()) {
            unavailable("no container engine reachable (DOCKER_HOST=" + System.getenv("DOCKER_HOST") + ")");
        }
        List<String> missing = List.of(images).stream().filter(i -> !hasImage(i)).toList();
        if (!missing.isEmpty()) {
            unavailable("images missing: " + missing + " (build them with docker/build-images)");
        }
    }

    private static boolean hasImage(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void unavailable(String why) {
        if (required()) {
            throw new AssertionError("container tests are required here (" + ENV_REQUIRED + "=required) but " + why);
        }
        Assumptions.abort(why);
    }
}
