package dev.knowgate.model.runtime;

/** Where inference should run. */
public enum Accelerator {
    /** Always the CPU. */
    CPU,
    /** The CUDA execution provider; falls back to the CPU, with the reason logged, when it cannot be used. */
    CUDA,
    /** CUDA when this build and machine offer it, the CPU otherwise. */
    AUTO
}
