package dev.knowgate.model.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loading ONNX Runtime's native library needs more stack than small threads have; without
 * {@link SessionLoader} it kills the JVM with SIGSEGV. A child JVM whose threads get 256 KB stacks
 * proves the loader does not depend on the caller's stack.
 */
class SessionLoaderTest {

    /** Run in the child JVM: loads the library from the (small) main thread's call. */
    public static final class LoadOnSmallStack {
        public static void main(String[] args) throws Exception {
            SessionLoader.environment();
            System.out.println("providers " + ai.onnxruntime.OrtEnvironment.getAvailableProviders());
        }
    }

    @Test
    void theLibraryLoadsWhateverTheCallersStack() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xss256k", "-cp", System.getProperty("java.class.path"),
                LoadOnSmallStack.class.getName()).redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes());
        assertThat(child.exitValue()).as("exit code (139: SIGSEGV); output: %s", output).isZero();
        assertThat(output).contains("providers").contains("CPU");
    }
}
