package dev.knowgate.tools.bench;

import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.training.finetune.FrozenGroups;
import dev.knowgate.training.finetune.QaSequence;
import dev.knowgate.training.gpt.DjlGpt;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/bench-finetune}: fine-tuning throughput of a model version (the base model by default)
 * on the fact world's pool, in tokens/s, for plain fine-tuning, self-distillation (one more
 * forward pass, of the frozen teacher, per step) and frozen parameter groups. No dev split, so the
 * numbers are training steps only. Each setting runs {@code repeats} times; the median is reported.
 *
 * <p>args: [MODEL_DIR=models/knowgate-base-1] [EXAMPLES=512] [EPOCHS=2] [REPEATS=3] [THREADS=all cores]
 */
public final class FineTuneBenchmark {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "models/knowgate-base-1");
        int examples = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : Runtime.getRuntime().availableProcessors();
        ModelFolder folder = ModelFolder.open(dir);
        GptWeights start = GptOnnxReader.readWeights(folder.file(OnnxCausalLm.MODEL_FILE));
        List<QaSequence> train = new ArrayList<>();
        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder)) {
            for (Fact f : FactWorld.generate(WorldConfig.standard(42L)).finetunePool()) {
                QaSequence q = QaSequence.of(tokenizer, folder.manifest().promptTemplate(),
                        folder.manifest().answerTerminator(), f.question(), f.answer());
                if (q.ids().length <= start.config().maxPositions()) {
                    train.add(q);
                }
                if (train.size() == examples) {
                    break;
                }
            }
        }
        DjlGpt.setTorchThreads(threads);
        double avgLen = train.stream().mapToInt(q -> q.ids().length).average().orElse(0);
        System.out.printf(Locale.ROOT, "model %s (%d parameters), %d examples (%.1f tokens each), %d epochs, batch 16, "
                        + "%d torch threads, %d cores, median of %d%n%n", folder.manifest().key(),
                start.config().parameterCount(), train.size(), avgLen, epochs, threads,
                Runtime.getRuntime().availableProcessors(), repeats);
        System.out.println("| setting | tokens/s | steps/s | seconds per epoch |");
        System.out.println("|---|---|---|---|");
        FineTuneConfig plain = new FineTuneConfig(epochs, 16, 1e-3f, 0f, 0, FrozenGroups.none(), epochs, 1L);
        new FineTuner(plain).run(start, train.subList(0, Math.min(64, train.size())), List.of()); // warm-up
        row("plain fine-tuning (lambda 0)", plain, start, train, repeats);
        row("self-distillation (lambda 1)", plain.withDistillLambda(1.0), start, train, repeats);
        row("self-distillation, embeddings + attention frozen", plain.withDistillLambda(1.0)
                .withFrozen(FrozenGroups.parse(List.of("embeddings", "attention"))), start, train, repeats);
    }

    private static void row(String name, FineTuneConfig config, GptWeights start, List<QaSequence> train, int repeats) {
        double[] tps = new double[repeats];
        double[] secs = new double[repeats];
        int steps = (train.size() + config.batchSize() - 1) / config.batchSize() * config.epochs();
        for (int i = 0; i < repeats; i++) {
            FineTuner.Result<GptWeights> r = new FineTuner(config).run(start, train, List.of());
            tps[i] = r.trainTokens() / r.trainSeconds();
            secs[i] = r.trainSeconds();
        }
        Arrays.sort(tps);
        Arrays.sort(secs);
        double s = secs[repeats / 2];
        System.out.printf(Locale.ROOT, "| %s | %.0f (%.0f-%.0f) | %.1f | %.2f |%n", name, tps[repeats / 2], tps[0],
                tps[repeats - 1], steps / s, s / config.epochs());
    }
}
