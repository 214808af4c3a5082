package dev.knowgate.model.runtime;

import java.util.Objects;

/**
 * How ONNX Runtime sessions are set up.
 *
 * @param accelerator    CPU, CUDA or AUTO
 * @param cudaDevice     CUDA device ordinal used when running on the GPU
 * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose (one per core)
 */
public record RuntimeOptions(Accelerator accelerator, int cudaDevice, int intraOpThreads) {

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
}
