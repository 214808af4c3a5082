package dev.knowgate.model.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How ONNX Runtime sessions are set up.
 *
 * @param accelerator    CPU, CUDA or AUTO
 * @param cudaDevice     CUDA device ordinal used when running on the GPU
 * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose (one per core)
 * @param profile        where ONNX Runtime writes each session's operator profile (a file name prefix;
 *                       null: no profile), for benchmarks that say where the time goes
 */
public record RuntimeOptions(Accelerator accelerator, int cudaDevice, int intraOpThreads, Path profile) {

    public RuntimeOptions(Accelerator accelerator, int cudaDevice, int intraOpThreads) {
        this(accelerator, cudaDevice, intraOpThreads, null);
    }

    public RuntimeOptions {
        Objects.requireNonNull(accelerator, "accelerator");
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("cudaDevice must be >= 0, got " + cudaDevice);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
    }

    public static RuntimeOptions cpu() {
        return new RuntimeOptions(Accelerator.CPU, 0, 0);
    }

    /** The same options, with each session's operator profile written under {@code prefix} (JSON, Chrome trace format). */
    public RuntimeOptions profiledTo(Path prefix) {
        return new RuntimeOptions(accelerator, cudaDevice, intraOpThreads, Objects.requireNonNull(prefix, "prefix"));
    }
}
