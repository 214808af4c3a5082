package dev.knowgate.tools.bench;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.ScoringRequest;
import dev.knowgate.model.runtime.TargetScorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Scoring throughput on the CPU (not a test): tokens/s of teacher-forced scoring for batch sizes 1
 * to 256, reading the logits in place versus copying them into Java arrays first, and the process's
 * peak resident memory. Run through {@code bin/bench-scoring [MODEL_DIR]}; without a folder it
 * uses the base model's shape (d 128, 4 layers, 4 heads, vocab 3410, 64 positions) with random
 * weights, since speed depends on the shapes, not on the values.
 */
public final class ScoringBenchmark {

    private static final int SEQUENCE = 60;
    private static final int TARGETS = 3;
    private static final double MIN_SECONDS = 2.0;

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : randomBaseShapedModel();
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        ModelFolder folder = ModelFolder.open(dir);
        try (OnnxCausalLm lm = OnnxCausalLm.load(folder, new RuntimeOptions(dev.knowgate.model.runtime.Accelerator.CPU, 0, threads))) {
            TargetScorer scorer = new TargetScorer(lm, 0);
            System.out.printf(Locale.ROOT, "model %s, vocab %d, %d cores, sequences of %d tokens, %d targets each%n",
                    folder.manifest().key(), lm.vocabSize(), Runtime.getRuntime().availableProcessors(), SEQUENCE, TARGETS);
            System.out.println();
            System.out.println("| batch | in place: tokens/s | ms per batch | copied: tokens/s | ms per batch | in place / copied | peak RSS MiB |");
            System.out.println("|---|---|---|---|---|---|---|");
            SplittableRandom random = new SplittableRandom(1);
            for (int batch : new int[]{1, 2, 4, 8, 16, 32, 64, 128, 256}) {
                List<ScoringRequest> requests = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    int[] tokens = random.ints(SEQUENCE, 5, lm.vocabSize()).toArray();
                    requests.add(new ScoringRequest(tokens, SEQUENCE - TARGETS));
                }
                double inPlace = timePerBatch(() -> scorer.score(requests, 0.5, 40));
                double copied = timePerBatch(() -> scorer.scoreCopying(requests, 0.5, 40));
                double tokens = (double) batch * SEQUENCE;
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.2f | %.0f | %.2f | %.2f | %d |%n", batch,
                        tokens / inPlace, inPlace * 1e3, tokens / copied, copied * 1e3, copied / inPlace, peakRssMiB());
            }
        }
    }

    @FunctionalInterface
    private interface Work {
        Object run() throws Exception;
    }

    /** Seconds per call: two warm-up calls, then as many as fit in MIN_SECONDS (at least three). */
    private static double timePerBatch(Work work) throws Exception {
        work.run();
        work.run();
        int calls = 0;
        long start = System.nanoTime();
        while (calls < 3 || System.nanoTime() - start < MIN_SECONDS * 1e9) {
            work.run();
            calls++;
        }
        return (System.nanoTime() - start) / 1e9 / calls;
    }

    private static long peakRssMiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    private static Path randomBaseShapedModel() throws Exception {
        GptConfig config = GptConfig.of(3410, 64, 128, 4, 4, 512);
        Path dir = Files.createTempDirectory("knowgate-bench-model");
        GptOnnxWriter.write(GptWeights.random(config, 42L), GptOnnxWriter.Variant.PLAIN, Map.of(), dir.resolve("model.onnx"));
        ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, "bench-random", 1, null, "knowgate-gpt",
                files, "Q: {question} A:", "<eoa>", Instant.now(), null, null));
        dir.toFile().deleteOnExit();
        return dir;
    }
}
