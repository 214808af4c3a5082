package dev.knowgate.model.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How ONNX Runtime sessions are set up and run.
 *
 * @param accelerator    CPU, CUDA or AUTO
 * @param cudaDevice     CUDA device ordinal used when running on the GPU
 * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose (on the 2-core build
 *                       machine its choice ran a MatMul as fast as one thread did, half as fast as two)
 * @param scoringThreads passes of one call run at once ({@link PrefixScorer}'s chunks, {@link KvCacheDecoder}'s
 *                       groups), each on its own buffers over one session; 0 chooses ({@link Lanes#of})
 * @param profile        where ONNX Runtime writes each session's operator profile (a file name prefix;
 *                       null: no profile), for benchmarks that say where the time goes
 */
public record RuntimeOptions(Accelerator accelerator, int cudaDevice, int intraOpThreads, int scoringThreads,
                             Path profile) {

    public RuntimeOptions(Accelerator accelerator, int cudaDevice, int intraOpThreads) {
        this(accelerator, cudaDevice, intraOpThreads, 0, null);
    }

    public RuntimeOptions {
        Objects.requireNonNull(accelerator, "accelerator");
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("cudaDevice must be >= 0, got " + cudaDevice);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
        }
        if (scoringThreads < 0) {
            throw new IllegalArgumentException("scoringThreads must be >= 0, got " + scoringThreads);
        }
    }

    public static RuntimeOptions cpu() {
        return new RuntimeOptions(Accelerator.CPU, 0, 0);
    }

    /** The same options, with each session's operator profile written under {@code prefix} (JSON, Chrome trace format). */
    public RuntimeOptions profiledTo(Path prefix) {
        return new RuntimeOptions(accelerator, cudaDevice, intraOpThreads, scoringThreads,
                Objects.requireNonNull(prefix, "prefix"));
    }

    /** The same options, running {@code threads} scoring passes at once (0: chosen by the scorer). */
    public RuntimeOptions withScoringThreads(int threads) {
        return new RuntimeOptions(accelerator, cudaDevice, intraOpThreads, threads, profile);
    }
}
