package dev.knowgate.trainer.backend;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.training.finetune.FineTuneConfig;
import dev.knowgate.training.finetune.FineTuner;
import dev.knowgate.training.finetune.QaSequence;
import dev.knowgate.training.gpt.DjlGpt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in backend for models of the project's architecture (knowgate-gpt): reads the parent's
 * weights from its model.onnx, fine-tunes them with {@link FineTuner} (self-distillation, frozen
 * groups, early stopping) in DJL/PyTorch, and exports model.onnx and model-kv.onnx. tokenizer.json
 * and exemplars.jsonl are the parent's; training-log.json records every epoch.
 */
public final class DjlBackend implements TrainingBackend {

    public static final String KV_MODEL_FILE = "model-kv.onnx";
    public static final String EXEMPLARS_FILE = "exemplars.jsonl";
    public static final String LOG_FILE = "training-log.json";
    public static final String ARCHITECTURE = GptConfig.ARCHITECTURE;

    private final FineTuneConfig config;
    private final int threads;

    public DjlBackend(FineTuneConfig config, int threads) {
        this.config = config;
        this.threads = threads;
    }

    @Override
    public String kind() {
        return "djl";
    }

    @Override
    public Optional<String> unavailable() {
        try {
            Engine.getEngine("PyTorch");
            return Optional.empty();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return Optional.of("the PyTorch engine does not load: " + e.getMessage());
        }
    }

    @Override
    public TrainingOutcome train(RoundDataset dataset, ModelFolder parent, Path out) throws IOException {
        if (!ARCHITECTURE.equals(parent.manifest().architecture())) {
            throw new IllegalStateException("the djl backend trains " + ARCHITECTURE + " models; " + parent.manifest().key()
                    + " is " + parent.manifest().architecture() + " (use the command backend)");
        }
        GptWeights start = GptOnnxReader.readWeights(parent.file(OnnxCausalLm.MODEL_FILE));
        int maxPositions = start.config().maxPositions();
        List<QaSequence> train;
        List<QaSequence> dev;
        try (ModelTokenizer tokenizer = ModelTokenizer.load(parent)) {
            train = sequences(dataset.train(), tokenizer, parent.manifest(), maxPositions);
            dev = sequences(dataset.dev(), tokenizer, parent.manifest(), maxPositions);
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no example of round " + dataset.roundId() + " fits the model's "
                    + maxPositions + " positions");
        }
        if (threads > 0) {
            DjlGpt.setTorchThreads(threads);
        }
        FineTuner.Result r = new FineTuner(retryConfig(dataset)).run(start, train, dev);

        Map<String, String> meta = Map.of("knowgate.model.name", dataset.name(),
                "knowgate.model.version", Long.toString(dataset.version()));
        GptOnnxWriter.write(r.weights(), GptOnnxWriter.Variant.PLAIN, meta, out.resolve(OnnxCausalLm.MODEL_FILE));
        GptOnnxWriter.write(r.weights(), GptOnnxWriter.Variant.KV_CACHE, meta, out.resolve(KV_MODEL_FILE));
        Files.copy(parent.file(ModelTokenizer.TOKENIZER_FILE), out.resolve(ModelTokenizer.TOKENIZER_FILE),
                StandardCopyOption.REPLACE_EXISTING);
        if (parent.manifest().file(EXEMPLARS_FILE).isPresent()) {
            Files.copy(parent.file(EXEMPLARS_FILE), out.resolve(EXEMPLARS_FILE), StandardCopyOption.REPLACE_EXISTING);
        }
        FineTuner.Epoch kept = r.bestEpoch() > 0 ? r.epochs().get(r.bestEpoch() - 1) : null;
        writeLog(out.resolve(LOG_FILE), dataset, r, train.size(), dev.size());
        return new TrainingOutcome(r.epochs().size(),
                kept == null || Double.isNaN(kept.crossEntropy()) ? null : kept.crossEntropy(),
                dev.isEmpty() ? null : r.devAccuracyBefore(), dev.isEmpty() ? null : r.bestDevAccuracy(),
                r.stoppedEarly(), r.trainTokens(), r.trainSeconds());
    }

    /**
     * A retry of a rejected round: the learning rate times the retry's scale, and self-distillation
     * times its scale (from 1 when it is off, so that a distilling retry distils).
     */
    FineTuneConfig retryConfig(RoundDataset dataset) {
        RoundDataset.Retry retry = dataset.retry();
        FineTuneConfig c = config;
        if (retry.distillScale() != 1) {
            c = c.withDistillLambda((c.distillLambda() > 0 ? c.distillLambda() : 1) * retry.distillScale());
        }
        if (retry.learningRateScale() != 1) {
            c = c.withLearningRate((float) (c.lr() * retry.learningRateScale()));
        }
        return c;
    }

    private static List<QaSequence> sequences(List<RoundExample> examples, ModelTokenizer tokenizer,
                                              ModelVersion manifest, int maxPositions) {
        List<QaSequence> out = new ArrayList<>(examples.size());
        for (RoundExample e : examples) {
            QaSequence q = QaSequence.of(tokenizer, manifest.promptTemplate(), manifest.answerTerminator(),
                    e.question(), e.answer());
            if (q.ids().length <= maxPositions) {
                out.add(q);
            }
        }
        return out;
    }

    private void writeLog(Path file, RoundDataset dataset, FineTuner.Result r, int train, int dev) throws IOException {
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("round", dataset.roundId());
        log.put("model", ModelVersion.keyOf(dataset.name(), dataset.version()));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("epochs", config.epochs());
        settings.put("batchSize", config.batchSize());
        settings.put("learningRate", retryConfig(dataset).lr());
        settings.put("weightDecay", config.weightDecay());
        settings.put("distillLambda", retryConfig(dataset).distillLambda());
        settings.put("attempt", dataset.retry().attempt());
        settings.put("freeze", config.frozen().specs());
        settings.put("patience", config.patience());
        settings.put("seed", config.seed());
        log.put("config", settings);
        log.put("trainSequences", train);
        log.put("devSequences", dev);
        log.put("devAccuracyBefore", r.devAccuracyBefore());
        log.put("bestEpoch", r.bestEpoch());
        log.put("bestDevAccuracy", r.bestDevAccuracy());
        log.put("stoppedEarly", r.stoppedEarly());
        log.put("trainTokens", r.trainTokens());
        log.put("trainSeconds", r.trainSeconds());
        log.put("epochs", r.epochs());
        Files.write(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(log));
    }
}
