package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Builds ONNX Runtime session options for the configured accelerator. The CUDA provider is only
 * listed by the onnxruntime_gpu build (Maven profile {@code gpu}) and only works where CUDA 12 and
 * cuDNN 9 libraries load; anything short of that falls back to the CPU with one log line saying why.
 */
public final class SessionOptionsFactory {

    private static final java.util.Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Logger LOG = LoggerFactory.getLogger(SessionOptionsFactory.class);

    /** The options and the provider they were built for. */
    public record Configured(OrtSession.SessionOptions options, OrtProvider provider, String reason)
            implements AutoCloseable {
        @Override
        public void close() {
            options.close();
        }
    }

    /** Which provider to use, decided from what was asked and what this build offers. Pure, for tests. */
    public record Choice(OrtProvider provider, String reason) {
    }

    private SessionOptionsFactory() {
    }

    public static Choice choose(Accelerator requested, Set<OrtProvider> available) {
        boolean cuda = available.contains(OrtProvider.CUDA);
        return switch (requested) {
            case CPU -> new Choice(OrtProvider.CPU, "CPU requested");
            case CUDA -> cuda ? new Choice(OrtProvider.CUDA, "CUDA requested and available")
                    : new Choice(OrtProvider.CPU, "CUDA requested but this ONNX Runtime build offers only "
                    + available + " (build with -Pgpu for onnxruntime_gpu)");
            case AUTO -> cuda ? new Choice(OrtProvider.CUDA, "CUDA available")
                    : new Choice(OrtProvider.CPU, "no CUDA provider in this ONNX Runtime build");
        };
    }

    public static Configured create(RuntimeOptions runtime) throws OrtException {
        SessionLoader.environment(); // loads the native library on a large stack
        Choice choice = choose(runtime.accelerator(), OrtEnvironment.getAvailableProviders());
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (runtime.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(runtime.intraOpThreads());
            }
            if (runtime.profile() != null) {
                options.enableProfiling(runtime.profile().toString());
            }
            if (choice.provider() == OrtProvider.CUDA) {
                try {
                    options.addCUDA(runtime.cudaDevice());
                } catch (OrtException e) {
                    // The provider is compiled in but its CUDA/cuDNN libraries did not load on this machine.
                    choice = new Choice(OrtProvider.CPU, "CUDA provider failed to start: " + e.getMessage());
                }
            }
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
        // Said once per process and reason: a service loads a session per model version it serves or evaluates.
        if (LOGGED.add(choice.provider() + ": " + choice.reason())) {
            if (runtime.accelerator() != Accelerator.CPU && choice.provider() == OrtProvider.CPU) {
                LOG.warn("running ONNX Runtime on the CPU: {}", choice.reason());
            } else {
                LOG.info("running ONNX Runtime on {} ({})", choice.provider(), choice.reason());
            }
        }
        return new Configured(options, choice.provider(), choice.reason());
    }
}
