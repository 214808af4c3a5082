package dev.knowgate.model.onnx;

import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The size of a base-model-sized file, the time to write it, and that ONNX Runtime runs it. */
class SizeAndTimeTest {

    @Test
    void baseSizedModelIsItsWeightsPlusAFewKilobytes() throws Exception {
        GptConfig c = GptConfig.of(2000, 64, 128, 4, 4, 512);
        GptWeights w = GptWeights.random(c, 1);
        GptOnnxWriter.toBytes(w); // warm-up
        long t0 = System.nanoTime();
        byte[] bytes = GptOnnxWriter.toBytes(w);
        long writeMs = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        GptWeights back = GptOnnxReader.read(bytes).weights();
        long readMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("d=128 L=4 H=4 V=2000 P=64: %d parameters, model.onnx %d bytes (%d over 4 bytes/param), "
                + "toBytes %d ms, read %d ms%n", c.parameterCount(), bytes.length, bytes.length - 4 * c.parameterCount(),
                writeMs, readMs);
        assertThat(back).isEqualTo(w);
        assertThat((long) bytes.length).isBetween(4 * c.parameterCount(), 4 * c.parameterCount() + 64 * 1024);
        try (OrtGpt ort = new OrtGpt(bytes)) {
            long[][] ids = new long[1][64];
            long[][] mask = new long[1][64];
            java.util.Arrays.fill(mask[0], 1);
            t0 = System.nanoTime();
            float[][][] logits = ort.logits(ids, mask);
            System.out.printf("ORT CPU forward, 1 x 64 tokens: %d ms (first run)%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(logits[0][63]).hasSize(2000);
        }
    }
}
