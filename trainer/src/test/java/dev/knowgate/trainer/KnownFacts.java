package dev.knowgate.trainer;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.contracts.Timings;
import dev.knowgate.contracts.Verdict;
import dev.knowgate.model.registry.ModelFolder;
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
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.WorldConfig;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Facts of the shipped model's world with their real SliCK verdicts (exact mode, the paper's
 * protocol) under a model version, as categorize-stream would put them on examples.accepted; and
 * the greedy accuracy of a version on the plain questions (the paper's test accuracy).
 */
public final class KnownFacts {

    public static final Path BASE = Path.of("..", "models", "knowgate-base-1");

    private KnownFacts() {
    }

    /** The first {@code limit} facts of the standard world's fine-tuning pool, categorized under {@code model}. */
    public static List<CategorizedExample> categorized(Path model, int limit) throws Exception {
        FactWorld world = FactWorld.generate(WorldConfig.standard(42L));
        return categorized(model, world.finetunePool().subList(0, limit).stream().map(Fact::toExample).toList());
    }

    /** Examples with their verdicts under {@code model}. */
    public static List<CategorizedExample> categorized(Path model, List<Example> all) throws Exception {
        ModelFolder folder = ModelFolder.open(model);
        List<CategorizedExample> out = new ArrayList<>();
        try (OnnxCausalLm lm = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
             ModelTokenizer tokenizer = ModelTokenizer.load(folder)) {
            SlickConfig config = SlickConfig.paper();
            ExactSlick slick = slick(folder, lm, tokenizer, config);
            for (int from = 0; from < all.size(); from += 32) {
                List<Example> examples = all.subList(from, Math.min(all.size(), from + 32));
                List<SlickQuestion> questions = examples.stream().map(KnownFacts::question).toList();
                List<SlickResult> results = slick.categorize(questions);
                for (int i = 0; i < examples.size(); i++) {
                    Example e = examples.get(i);
                    SlickResult r = results.get(i);
                    Verdict v = Verdict.builder().exampleId(e.id()).model(folder.manifest().name())
                            .modelVersion(folder.manifest().version()).category(r.category()).pGreedy(r.pGreedy())
                            .pSampled(r.pSampled()).method(SlickMethod.EXACT).prompts(config.prompts())
                            .shots(config.shots()).samplesPerPrompt(config.samplesPerPrompt())
                            .temperature(config.temperature()).topK(config.topK()).promptSets(config.promptSets()).exemplarPool(r.pool())
                            .fallback(r.fallback()).timings(new Timings(0, 0, 0)).computedAt(Instant.now()).evidence(null).build();
                    out.add(new CategorizedExample(e, v, r.category() == Category.UNKNOWN ? Route.QUARANTINED : Route.ACCEPTED));
                }
            }
        }
        return out;
    }

    /** Share of {@code examples} whose plain question the version answers greedily with the gold answer. */
    public static double plainAccuracy(Path model, List<Example> examples) throws Exception {
        ModelFolder folder = ModelFolder.open(model);
        try (OnnxCausalLm lm = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
             ModelTokenizer tokenizer = ModelTokenizer.load(folder)) {
            boolean[] right = slick(folder, lm, tokenizer, SlickConfig.paper())
                    .answersPlainQuestion(examples.stream().map(KnownFacts::question).toList());
            int n = 0;
            for (boolean b : right) {
                n += b ? 1 : 0;
            }
            return (double) n / examples.size();
        }
    }

    private static ExactSlick slick(ModelFolder folder, OnnxCausalLm lm, ModelTokenizer tokenizer, SlickConfig config)
            throws Exception {
        return new ExactSlick(lm, tokenizer, 0, folder.manifest().key(), folder.manifest().promptTemplate(),
                folder.manifest().answerTerminator(), new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME))),
                config);
    }

    private static SlickQuestion question(Example e) {
        return new SlickQuestion(e.id(), e.relation(), e.question(), e.answer(), e.aliases());
    }
}
