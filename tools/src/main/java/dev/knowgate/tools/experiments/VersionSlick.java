package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.Accelerator;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.world.Fact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Exact SliCK under one model version, the way categorize-stream computes a verdict: the version's folder
 * (model.onnx written by {@link GptOnnxWriter}, the base's tokenizer.json and exemplars.jsonl, sealed with a
 * manifest and opened through {@link ModelFolder#open}), ONNX Runtime, {@link ExactSlick} with the folder's
 * exemplar pool and {@link SlickConfig#paper()} (categorize-stream's defaults: K 10, S 4, N 16, T 0.5,
 * top-k 40, found threshold 0.5). Verdicts are kept per fact, so a fact is categorized once per version.
 */
final class VersionSlick implements AutoCloseable {

    private final String key;
    private final Path tempDir;
    private final OnnxCausalLm model;
    private final ModelTokenizer tokenizer;
    private final ExactSlick slick;
    private final Map<String, Category> verdicts = new HashMap<>();

    private VersionSlick(String key, Path tempDir, OnnxCausalLm model, ModelTokenizer tokenizer, ExactSlick slick) {
        this.key = key;
        this.tempDir = tempDir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.slick = slick;
    }

    /** The shipped base version, from its own folder. */
    static VersionSlick of(ModelFolder folder, int threads) throws Exception {
        return open(folder, null, threads);
    }

    /**
     * A fine-tuned version: its weights exported into a temporary version folder next to the base's
     * tokenizer and exemplars (removed on {@link #close()}).
     */
    static VersionSlick of(ModelFolder base, GptWeights weights, String name, long version, int threads)
            throws Exception {
        Path dir = Files.createTempDirectory("knowgate-rounds-");
        try {
            GptOnnxWriter.write(weights, GptOnnxWriter.Variant.PLAIN,
                    Map.of("knowgate.model.name", name, "knowgate.model.version", Long.toString(version)),
                    dir.resolve(OnnxCausalLm.MODEL_FILE));
            Files.copy(base.file(ModelTokenizer.TOKENIZER_FILE), dir.resolve(ModelTokenizer.TOKENIZER_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.copy(base.file(ExemplarFile.FILE_NAME), dir.resolve(ExemplarFile.FILE_NAME),
                    StandardCopyOption.REPLACE_EXISTING);
            ModelVersion b = base.manifest();
            ModelFolder.seal(dir, files -> new ModelVersion(SchemaVersions.CURRENT, name, version, null,
                    b.architecture(), files, b.promptTemplate(), b.answerTerminator(), Instant.now(), null, null));
            return open(ModelFolder.open(dir), dir, threads);
        } catch (Exception | Error e) {
            delete(dir);
            throw e;
        }
    }

    private static VersionSlick open(ModelFolder folder, Path tempDir, int threads) throws Exception {
        ModelVersion m = folder.manifest();
        ExemplarPool pool = new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME)));
        OnnxCausalLm model = OnnxCausalLm.load(folder, new RuntimeOptions(Accelerator.CPU, 0, threads));
        ModelTokenizer tokenizer = ModelTokenizer.load(folder);
        return new VersionSlick(m.key(), tempDir, model, tokenizer,
                ExactSlick.forVersion(folder, model, tokenizer, pool, SlickConfig.paper()));
    }

    String key() {
        return key;
    }

    /** Verdicts already known (e.g. the experiments' cached base-model categories, same exemplars and protocol). */
    void preload(Map<String, Category> known) {
        verdicts.putAll(known);
    }

    /**
     * The category of each fact under this version, as categorize-stream gives it for the example of the
     * fact; null for a fact whose few-shot prompts do not fit the model (categorize-stream rejects those).
     */
    List<Category> categorize(List<Fact> facts) throws Exception {
        List<SlickQuestion> missing = new ArrayList<>();
        List<String> missingIds = new ArrayList<>();
        for (Fact f : facts) {
            if (!verdicts.containsKey(f.id())) {
                SlickQuestion q = new SlickQuestion(f.toExample().id(), f.relation().name(), f.question(), f.answer(),
                        List.of());
                if (slick.fits(q)) {
                    missing.add(q);
                    missingIds.add(f.id());
                } else {
                    verdicts.put(f.id(), null);
                }
            }
        }
        for (int from = 0; from < missing.size(); from += 32) {
            int to = Math.min(missing.size(), from + 32);
            List<SlickResult> results = slick.categorize(missing.subList(from, to));
            for (int i = from; i < to; i++) {
                verdicts.put(missingIds.get(i), results.get(i - from).category());
            }
        }
        return facts.stream().map(f -> verdicts.get(f.id())).toList();
    }

    @Override
    public void close() throws Exception {
        try {
            model.close();
            tokenizer.close();
        } finally {
            if (tempDir != null) {
                delete(tempDir);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
