package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

class SessionOptionsFactoryTest {

    @Test
    void cudaIsChosenOnlyWhenOffered() {
        var cpuOnly = EnumSet.of(OrtProvider.CPU);
        var withCuda = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);

        assertThat(SessionOptionsFactory.choose(Accelerator.CUDA, withCuda).provider()).isEqualTo(OrtProvider.CUDA);
        assertThat(SessionOptionsFactory.choose(Accelerator.AUTO, withCuda).provider()).isEqualTo(OrtProvider.CUDA);
        assertThat(SessionOptionsFactory.choose(Accelerator.CPU, withCuda).provider()).isEqualTo(OrtProvider.CPU);

        var fallback = SessionOptionsFactory.choose(Accelerator.CUDA, cpuOnly);
        assertThat(fallback.provider()).isEqualTo(OrtProvider.CPU);
        assertThat(fallback.reason()).contains("-Pgpu");
    }

    @Test
    void nativeRuntimeLoadsAndFallsBackToCpuWithoutCuda() throws Exception {
        // The real native library of this build, not a mock: it must load on a plain JDK machine.
        var available = OrtEnvironment.getAvailableProviders();
        assertThat(available).contains(OrtProvider.CPU);

        try (var configured = SessionOptionsFactory.create(new RuntimeOptions(Accelerator.AUTO, 0, 1))) {
            if (available.contains(OrtProvider.CUDA)) {
                assertThat(configured.provider()).isIn(OrtProvider.CUDA, OrtProvider.CPU);
            } else {
                assertThat(configured.provider()).isEqualTo(OrtProvider.CPU);
                assertThat(configured.reason()).contains("no CUDA provider");
            }
        }
    }
}
