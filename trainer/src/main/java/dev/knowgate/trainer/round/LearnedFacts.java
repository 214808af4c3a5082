package dev.knowgate.trainer.round;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.LearnedCount;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickQuestion;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.registry.ModelRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a version learned: how many of the facts it was trained on it answers, greedy on the plain
 * question, the way probes are scored (teacher forced in ONNX Runtime, whatever backend trained it).
 * Measured on the sealed version before it is installed, and written into its round summary.
 */
final class LearnedFacts {

    private LearnedFacts() {
    }

    /** Per category (under the parent), of {@code facts}, how many the version answers; facts too long for it are left out. */
    static Map<Category, LearnedCount> measure(ModelFolder version, List<RoundExample> facts) throws IOException, OrtException {
        Map<Category, LearnedCount> out = new EnumMap<>(Category.class);
        if (facts.isEmpty()) {
            return out;
        }
        ModelVersion m = version.manifest();
        try (ModelTokenizer tokenizer = ModelTokenizer.load(version);
             OnnxCausalLm lm = OnnxCausalLm.load(version, RuntimeOptions.cpu())) {
            ExactSlick slick = ExactSlick.forVersion(version, lm, tokenizer,
                    new ExemplarPool(ExemplarFile.read(version.file(ExemplarFile.FILE_NAME))), SlickConfig.paper());
            List<SlickQuestion> questions = new ArrayList<>();
            List<Category> categories = new ArrayList<>();
            for (RoundExample e : facts) {
                SlickQuestion q = new SlickQuestion(e.id(), e.relation(), e.question(), e.answer(), List.of());
                if (tokenizer.encode(slick.prompt(List.of(), e.question()) + e.answer() + m.answerTerminator()).length
                        <= lm.maxPositions()) {
                    questions.add(q);
                    categories.add(e.category());
                }
            }
            boolean[] right = questions.isEmpty() ? new boolean[0] : slick.answersPlainQuestion(questions);
            for (int i = 0; i < right.length; i++) {
                out.merge(categories.get(i), new LearnedCount(right[i] ? 1 : 0, 1), LearnedCount::plus);
            }
        }
        return out;
    }

    /**
     * The facts trained on along the lineage up to and including {@code parent}: each ancestor's new
     * training examples (round/train.jsonl, replays excluded), oldest first, each id once with the
     * category it was first trained under.
     */
    static List<RoundExample> lineage(ModelRegistry registry, ModelFolder parent) throws IOException {
        Deque<Path> chain = new ArrayDeque<>();
        String name = parent.manifest().name();
        Path dir = parent.dir();
        while (dir != null && Files.isDirectory(dir)) {
            chain.push(dir);
            Path manifest = dir.resolve(ModelVersion.MANIFEST_FILE);
            Long up = Files.isRegularFile(manifest)
                    ? ContractJson.read(Files.readAllBytes(manifest), ModelVersion.class).parent() : null;
            dir = up == null ? null : registry.folder(name, up);
        }
        Map<String, RoundExample> facts = new LinkedHashMap<>();
        for (Path d : chain) {
            Path train = d.resolve(RoundRunner.TRAIN_FILE);
            if (Files.isRegularFile(train)) {
                for (RoundExample e : RoundExample.readJsonl(train)) {
                    if (!e.replay()) {
                        facts.putIfAbsent(e.id(), e);
                    }
                }
            }
        }
        return List.copyOf(facts.values());
    }
}
