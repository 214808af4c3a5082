package dev.knowgate.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether the torchrun tests can run here: Debian's python3-torch and python3-onnx for /usr/bin/python3,
 * and /usr/bin/torchrun. Where they are required ({@code KNOWGATE_TORCH_TESTS=required}, or the system
 * property {@code knowgate.test.torch=required}; {@code .ci/run} installs them and sets it) a missing
 * PyTorch fails the test. Elsewhere the test is skipped and says why, so that {@code ./mvnw verify} needs
 * nothing but a JDK.
 */
public final class TorchRuntime {

    public static final String ENV_REQUIRED = "KNOWGATE_TORCH_TESTS";
    public static final String PROP_REQUIRED = "knowgate.test.torch";
    /** The launcher, from a module folder one level under the root (where its tests run: trainer, e2e). */
    public static final Path LAUNCHER = Path.of("..", "bin", "torch-finetune").toAbsolutePath().normalize();

    private TorchRuntime() {
    }

    public static boolean required() {
        return "required".equalsIgnoreCase(System.getProperty(PROP_REQUIRED, System.getenv(ENV_REQUIRED)));
    }

    /** Skips the calling test (or fails it, where required) unless torchrun and torch + onnx import. */
    public static void assume() {
        String why = missing();
        if (why == null) {
            return;
        }
        if (required()) {
            throw new AssertionError("the torchrun tests are required here (" + ENV_REQUIRED + "=required) but " + why);
        }
        Assumptions.abort(why + " (apt-get install --no-install-recommends python3-torch python3-onnx python3-numpy)");
    }

    private static String missing() {
        if (!Files.isExecutable(Path.of("/usr/bin/torchrun"))) {
            return "/usr/bin/torchrun is not installed";
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, onnx").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "/usr/bin/python3 cannot import torch and onnx: " + out.strip();
            }
            return null;
        } catch (Exception e) {
            return "/usr/bin/python3 does not run: " + e.getMessage();
        }
    }
}
