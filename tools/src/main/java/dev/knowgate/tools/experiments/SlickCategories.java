package dev.knowgate.tools.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.knowgate.contracts.Category;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.Accelerator;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.Exemplar;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.model.slick.SlickResult;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SliCK categories of facts under the base model, exactly as {@code KnowledgeReport} computes them:
 * {@link ExactSlick} with {@link SlickConfig#paper()} and an {@link ExemplarPool} of the world's dev
 * exemplars. A fact whose prompts exceed the model's positions gets no category (left out of every set).
 * Verdicts are cached in a JSON file next to the results, keyed by the model file's sha256 and the
 * world, so the experiments categorize each fact once (the whole pool takes about two minutes).
 */
final class SlickCategories {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The cache file's content. */
    record Cache(String model, String modelSha256, String world, String slick, Map<String, Category> categories) {
    }

    private SlickCategories() {
    }

    /**
     * @return category by fact id for every fact of {@code facts} that fits the model (the others are absent)
     */
    static Map<String, Category> of(ModelFolder folder, FactWorld world, String worldKey, List<Fact> facts, int threads,
                                    Path cacheFile) throws Exception {
        String sha = ModelFolder.sha256(folder.file(OnnxCausalLm.MODEL_FILE));
        String slickKey = SlickConfig.paper().toString();
        Map<String, Category> cached = new TreeMap<>();
        if (cacheFile != null && Files.isRegularFile(cacheFile)) {
            try {
                Cache c = JSON.readValue(cacheFile.toFile(), Cache.class);
                if (sha.equals(c.modelSha256()) && worldKey.equals(c.world()) && slickKey.equals(c.slick())
                        && c.categories() != null) {
                    cached.putAll(c.categories());
                }
            } catch (IOException unreadable) {
                // recomputed below
            }
        }
        List<Fact> missing = facts.stream().filter(f -> !cached.containsKey(f.id())).toList();
        if (!missing.isEmpty()) {
            long t0 = System.nanoTime();
            cached.putAll(categorize(folder, world, missing, threads));
            System.out.printf("SliCK (exact, paper protocol): %d facts categorized in %.1f s%n", missing.size(),
                    (System.nanoTime() - t0) / 1e9);
            if (cacheFile != null) {
                Files.createDirectories(cacheFile.toAbsolutePath().getParent());
                JSON.writeValue(cacheFile.toFile(), new Cache(folder.manifest().key(), sha, worldKey, slickKey, cached));
            }
        }
        Map<String, Category> out = new LinkedHashMap<>();
        for (Fact f : facts) {
            Category c = cached.get(f.id());
            if (c != null) {
                out.put(f.id(), c);
            }
        }
        return out;
    }

    /** Unfitting facts are stored as absent: they are re-checked (cheaply) on the next call. */
    private static Map<String, Category> categorize(ModelFolder folder, FactWorld world, List<Fact> facts, int threads)
            throws Exception {
        List<Exemplar> exemplars = new ArrayList<>();
        for (Fact f : world.dev()) {
            exemplars.add(new Exemplar(f.toExample().id(), f.relation().name(), f.question(), f.answer()));
        }
        Map<String, Category> out = new LinkedHashMap<>();
        try (OnnxCausalLm model = OnnxCausalLm.load(folder, new RuntimeOptions(Accelerator.CPU, 0, threads));
             ModelTokenizer tokenizer = ModelTokenizer.load(folder)) {
            ExactSlick slick = ExactSlick.forVersion(folder, model, tokenizer, new ExemplarPool(exemplars),
                    SlickConfig.paper());
            List<Fact> fitting = new ArrayList<>();
            List<SlickQuestion> questions = new ArrayList<>();
            for (Fact f : facts) {
                SlickQuestion q = new SlickQuestion(f.toExample().id(), f.relation().name(), f.question(), f.answer(),
                        List.of());
                if (slick.fits(q)) {
                    fitting.add(f);
                    questions.add(q);
                }
            }
            for (int from = 0; from < questions.size(); from += 32) {
                int to = Math.min(questions.size(), from + 32);
                List<SlickResult> results = slick.categorize(questions.subList(from, to));
                for (int i = from; i < to; i++) {
                    out.put(fitting.get(i).id(), results.get(i - from).category());
                }
            }
        }
        return out;
    }
}
