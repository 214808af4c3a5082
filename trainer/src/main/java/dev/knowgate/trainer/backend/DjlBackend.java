package dev.knowgate.trainer.backend;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxReader;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.onnx.LlamaOnnxReader;
import dev.knowgate.model.onnx.LlamaOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ExportConfig;
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
import java.util.Set;

/**
 * The built-in backend for the project's two architectures: reads the parent's weights from its
 * model.onnx, fine-tunes them with {@link FineTuner} (self-distillation, frozen groups, early stopping)
 * in DJL/PyTorch, and exports them as the parent was: a knowgate-gpt version as model.onnx and
 * model-kv.onnx; a Llama-architecture hf-causal-lm version in optimum's layout (model.onnx, with
 * model.onnx_data and fp16 weights when the parent had them, config.json, generation_config.json).
 * The tokenizer files, their licences and exemplars.jsonl are the parent's; training-log.json
 * records every epoch.
 */
public final class DjlBackend implements TrainingBackend {

    public static final String KV_MODEL_FILE = "model-kv.onnx";
    public static final String EXEMPLARS_FILE = "exemplars.jsonl";
    public static final String LOG_FILE = "training-log.json";
    public static final String ARCHITECTURE = GptConfig.ARCHITECTURE;
    private static final Set<String> CARRIED = Set.of(ModelTokenizer.TOKENIZER_FILE, "tokenizer_config.json",
            "special_tokens_map.json", EXEMPLARS_FILE);

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
        String architecture = parent.manifest().architecture();
        if (ARCHITECTURE.equals(architecture)) {
            GptWeights start = GptOnnxReader.readWeights(parent.file(OnnxCausalLm.MODEL_FILE));
            Map<String, String> meta = Map.of("knowgate.model.name", dataset.name(),
                    "knowgate.model.version", Long.toString(dataset.version()));
            return round(dataset, parent, out, FineTuner.Architecture.GPT, start, start.config().maxPositions(), w -> {
                GptOnnxWriter.write(w, GptOnnxWriter.Variant.PLAIN, meta, out.resolve(OnnxCausalLm.MODEL_FILE));
                GptOnnxWriter.write(w, GptOnnxWriter.Variant.KV_CACHE, meta, out.resolve(KV_MODEL_FILE));
            });
        }
        if (ExportConfig.ARCHITECTURE.equals(architecture) && ExportConfig.present(parent)) {
            // Read back as the project's own Llama writer wrote it, and written again the same way.
            LlamaOnnxReader.Result start = LlamaOnnxReader.read(parent.dir());
            return round(dataset, parent, out, FineTuner.Architecture.LLAMA, start.weights(),
                    start.weights().config().maxPositions(), w -> LlamaOnnxWriter.write(w, start.options(), out));
        }
        throw new IllegalStateException("the djl backend trains " + ARCHITECTURE + " and Llama-architecture "
                + ExportConfig.ARCHITECTURE + " models; " + parent.manifest().key() + " is " + architecture
                + " (use the command backend)");
    }

    /** Writes a round's weights into the new version's folder. */
    @FunctionalInterface
    private interface Export<W> {
        void write(W weights) throws IOException;
    }

    private <W> TrainingOutcome round(RoundDataset dataset, ModelFolder parent, Path out,
                                      FineTuner.Architecture<W> architecture, W start, int maxPositions,
                                      Export<W> export) throws IOException {
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
        FineTuner.Result<W> r = new FineTuner(retryConfig(dataset)).run(architecture, start, start, train, dev, null);
        export.write(r.weights());
        for (ModelFile file : parent.manifest().files()) {
            if (carried(file.path())) {
                Files.copy(parent.file(file.path()), out.resolve(file.path()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        FineTuner.Epoch kept = r.bestEpoch() > 0 ? r.epochs().get(r.bestEpoch() - 1) : null;
        writeLog(out.resolve(LOG_FILE), dataset, r, train.size(), dev.size());
        return new TrainingOutcome(r.epochs().size(),
                kept == null || Double.isNaN(kept.crossEntropy()) ? null : kept.crossEntropy(),
                dev.isEmpty() ? null : r.devAccuracyBefore(), dev.isEmpty() ? null : r.bestDevAccuracy(),
                r.stoppedEarly(), r.trainTokens(), r.trainSeconds());
    }

    /**
     * The parent's files a new version keeps as they are: the tokenizer (with its config and licences)
     * and the exemplars. The weights, config.json and the training log are the round's own.
     */
    private static boolean carried(String path) {
        return CARRIED.contains(path) || ModelFolder.isLicence(path);
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

    private void writeLog(Path file, RoundDataset dataset, FineTuner.Result<?> r, int train, int dev) throws IOException {
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
