package dev.knowgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A random-weight Llama exported by PyTorch's own exporter with transformers' LlamaForCausalLM module
 * names and optimum's text-generation-with-past interface (torch_llama_export.py, next to this class):
 * a graph the project did not write, with optimum's node names and anonymous transposed projection
 * weights. No hub is reachable here, so this stands in for {@code optimum-cli export onnx}. Needs
 * Debian's python3-torch and python3-onnx ({@link TorchRuntime#assume()}: skipped without them, failed
 * where they are required).
 */
public final class TorchLlamaExport {

    private static final String SCRIPT = "torch_llama_export.py";

    /**
     * The shape, in config.json's terms; head_dim is hidden / heads. {@code attentionBias}: biases on the
     * query, key and value projections, as Qwen2 has (not the Llama architecture).
     */
    public record Shape(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads,
                        int maxPositions, boolean tied, boolean attentionBias) {

        public Shape(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, int maxPositions,
                     boolean tied) {
            this(vocab, hidden, intermediate, layers, heads, kvHeads, maxPositions, tied, false);
        }
    }

    private TorchLlamaExport() {
    }

    /**
     * Writes model.onnx, config.json and generation_config.json into {@code dir}: weights drawn with
     * standard deviation {@code std}, norm gains 1 +- 0.2.
     */
    public static Path write(Path dir, Shape shape, double std, long seed) throws IOException, InterruptedException {
        TorchRuntime.assume();
        Files.createDirectories(dir);
        Path script = Files.createTempFile("torch-llama-export", ".py");
        try (InputStream in = TorchLlamaExport.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is not on the class path");
            }
            Files.write(script, in.readAllBytes());
        }
        try {
            List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), dir.toString(),
                    "--vocab", str(shape.vocab()), "--hidden", str(shape.hidden()),
                    "--intermediate", str(shape.intermediate()), "--layers", str(shape.layers()),
                    "--heads", str(shape.heads()), "--kv-heads", str(shape.kvHeads()),
                    "--max-positions", str(shape.maxPositions()), "--std", Double.toString(std), "--seed", Long.toString(seed)));
            if (shape.tied()) {
                command.add("--tied");
            }
            if (shape.attentionBias()) {
                command.add("--attention-bias");
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(SCRIPT + " did not finish in 2 minutes: " + output);
            }
            if (p.exitValue() != 0) {
                throw new IOException(SCRIPT + " failed (exit " + p.exitValue() + "): " + output);
            }
            return dir;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static String str(int value) {
        return Integer.toString(value);
    }
}
