package dev.knowgate.model.onnx;

import dev.knowgate.model.llama.LlamaConfig;
import dev.knowgate.model.llama.LlamaWeights;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LlamaOnnxReader gives back what LlamaOnnxWriter wrote, in each of its forms, with the options it was
 * written with (so the trainer exports a round as its parent was stored), and refuses a folder whose
 * data or config does not match, naming what is wrong.
 */
class LlamaOnnxReaderTest {

    static final LlamaConfig SHAPE = LlamaConfig.of(50, 16, 24, 2, 4, 2, 32, false);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "external data {0}, {1}")
    @CsvSource({"false, FP32", "true, FP32", "false, FP16", "true, FP16", "true, FP16_IO"})
    void readsBackWhatTheWriterWrote(boolean external, LlamaOnnxWriter.Precision precision) throws Exception {
        LlamaWeights weights = LlamaWeights.random(SHAPE, 3L, 0.3, 0.1);
        LlamaOnnxWriter.Options options = new LlamaOnnxWriter.Options(external, precision);
        LlamaOnnxWriter.write(weights, options, dir);

        LlamaOnnxReader.Result back = LlamaOnnxReader.read(dir);
        assertThat(back.options()).isEqualTo(options);
        assertThat(back.weights().config()).isEqualTo(SHAPE);
        LlamaWeights expected = precision != LlamaOnnxWriter.Precision.FP32 ? weights.roundedToHalf() : weights;
        assertThat(back.weights().tensors()).isEqualTo(expected.tensors());
    }

    @Test
    void aTruncatedDataFileOrAConfigOfAnotherShapeIsRefusedNamingWhatIsWrong() throws Exception {
        LlamaOnnxWriter.write(LlamaWeights.random(SHAPE, 3L, 0.3, 0.1),
                new LlamaOnnxWriter.Options(true, LlamaOnnxWriter.Precision.FP32), dir);
        Path data = dir.resolve(LlamaOnnxWriter.DATA_FILE);
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        assertThatThrownBy(() -> LlamaOnnxReader.read(dir)).isInstanceOf(GptOnnxFormatException.class)
                .hasMessageContaining("lm_head.weight").hasMessageContaining(LlamaOnnxWriter.DATA_FILE);

        LlamaOnnxWriter.write(LlamaWeights.random(SHAPE, 3L, 0.3, 0.1), LlamaOnnxWriter.Options.inline(), dir);
        LlamaConfig.of(50, 16, 24, 3, 4, 2, 32, false).writeTo(dir);
        assertThatThrownBy(() -> LlamaOnnxReader.read(dir)).isInstanceOf(GptOnnxFormatException.class)
                .hasMessageContaining("model.layers.2.");
        Files.delete(dir.resolve(LlamaConfig.CONFIG_FILE));
        assertThatThrownBy(() -> LlamaOnnxReader.read(dir)).hasMessageContaining(LlamaConfig.CONFIG_FILE);
    }
}
