package dev.knowgate.tools.finetune;

import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.backend.DjlBackend;
import dev.knowgate.trainer.backend.RoundDataset;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.backend.TrainingOutcome;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FrozenGroups;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/finetune}: one fine-tuning round as a stand-alone program, reading the JSONL files the
 * trainer's command backend writes and writing a model folder. It is the worked example of that
 * backend (docs/trainer.md): a team's own training script takes the same four paths.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tunes a knowgate-gpt model version on a round's train.jsonl (early stopping on dev.jsonl) "
                + "and writes model.onnx, model-kv.onnx and training-log.json into --out.")
public final class FineTuneCommand implements Callable<Integer> {

    @Option(names = "--train", required = true, description = "training examples, JSONL (id, question, answer, category)")
    Path train;

    @Option(names = "--dev", description = "dev split, JSONL (early stopping); none: every epoch runs")
    Path dev;

    @Option(names = "--parent", required = true, description = "the model version folder to start from")
    Path parent;

    @Option(names = "--out", required = true, description = "the folder to write the new version's files into")
    Path out;

    @Option(names = "--epochs", defaultValue = "8")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001")
    float lr;

    @Option(names = "--distill-lambda", defaultValue = "1.0", description = "self-distillation weight; 0 turns it off")
    double lambda;

    @Option(names = "--freeze", split = ",", description = "parameter groups: embeddings, attention, mlp, norms, layers:A-B")
    List<String> freeze = List.of();

    @Option(names = "--patience", defaultValue = "2")
    int patience;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads; 0: every core")
    int threads;

    @Override
    public Integer call() throws Exception {
        ModelFolder from = ModelFolder.open(parent);
        List<RoundExample> trainSet = RoundExample.readJsonl(train);
        List<RoundExample> devSet = dev == null || !Files.exists(dev) ? List.of() : RoundExample.readJsonl(dev);
        String name = System.getenv().getOrDefault("KNOWGATE_MODEL_NAME", from.manifest().name());
        long version = Long.parseLong(System.getenv().getOrDefault("KNOWGATE_MODEL_VERSION",
                Long.toString(from.manifest().version() + 1)));
        String round = System.getenv().getOrDefault("KNOWGATE_ROUND", "manual");
        FineTuneConfig config = new FineTuneConfig(epochs, batchSize, lr, 0f, lambda, FrozenGroups.parse(freeze),
                patience, seed);
        Files.createDirectories(out);
        TrainingOutcome o = new DjlBackend(config, threads).train(new RoundDataset(round, name, version, trainSet, devSet),
                from, out);
        System.out.printf("finetune: %d train, %d dev examples; %d epochs; dev accuracy %s -> %s; %.0f tokens/s; wrote %s%n",
                trainSet.size(), devSet.size(), o.epochs(), o.devAccuracyBefore(), o.devAccuracy(), o.tokensPerSecond(), out);
        return 0;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        System.exit(new CommandLine(new FineTuneCommand()).execute(args));
    }
}
