package dev.knowgate.categorize.model;

import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.model.registry.RegistryOrigin;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SlickConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The live model and its loader, configured from {@link CategorizeConfig}. */
public class ModelBeans {

    @Produces
    @Singleton
    LoadedModels loadedModels(CategorizeConfig config) {
        return new LoadedModels(config.model().maxCandidates(), config.model().concurrentCalls());
    }

    @Produces
    @Singleton
    ModelLoader modelLoader(CategorizeConfig config) {
        return new ModelLoader(runtimeOptions(config.model()), slickConfig(config.slick()), config.slick().method(),
                new SampledOptions(config.slick().maxAnswerTokens(), SampledOptions.defaults().maxRowsPerBatch()),
                RegistryOrigin.of(config.model().registry(), config.model().trustedKeys()));
    }

    public static RuntimeOptions runtimeOptions(CategorizeConfig.Model model) {
        return new RuntimeOptions(model.accelerator(), model.cudaDevice(), model.threads())
                .withScoringThreads(model.scoringThreads());
    }

    public static SlickConfig slickConfig(CategorizeConfig.Slick s) {
        return new SlickConfig(s.prompts(), s.shots(), s.samplesPerPrompt(), s.temperature(), s.topK(), s.foundThreshold(),
                s.promptSets());
    }
}
