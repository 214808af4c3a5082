package dev.knowgate.categorize.model;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;
import dev.knowgate.model.slick.SlickCategorizer;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SampledSlick;
import dev.knowgate.model.runtime.OrtResource;
import dev.knowgate.model.runtime.PrefixScorer;
import dev.knowgate.model.runtime.TokenDecoder;
import dev.knowgate.contracts.SlickMethod;

import java.io.IOException;

/**
 * One model version ready to categorize: its verified folder, an ONNX Runtime session, its
 * tokenizer and SliCK over the exemplars it ships with.
 */
public final class ServingModel implements AutoCloseable {

    private final ModelVersion version;
    private final OnnxCausalLm lm;
    private final ModelTokenizer tokenizer;
    private final ExactSlick exact;
    private final SlickCategorizer categorizer;
    /** The KV-cache session the categorizer runs on, if any: sampled mode's decoder or exact mode's scorer. */
    private final OrtResource kvSession;
    private final SlickConfig config;

    private ServingModel(ModelVersion version, OnnxCausalLm lm, ModelTokenizer tokenizer, ExactSlick exact,
                         SlickCategorizer categorizer, OrtResource kvSession, SlickConfig config) {
        this.version = version;
        this.lm = lm;
        this.tokenizer = tokenizer;
        this.exact = exact;
        this.categorizer = categorizer;
        this.kvSession = kvSession;
        this.config = config;
    }

    /**
     * Loads a folder that {@link ModelFolder#open} has verified. Everything opened is closed again
     * when a later step fails.
     */
    public static ServingModel load(ModelFolder folder, RuntimeOptions runtime, SlickConfig config)
            throws IOException, OrtException {
        return load(folder, runtime, config, SlickMethod.EXACT, SampledOptions.defaults());
    }

    /** As above, categorizing by {@code method}; sampled mode decodes with the KV-cache export when there is one. */
    public static ServingModel load(ModelFolder folder, RuntimeOptions runtime, SlickConfig config, SlickMethod method,
                                    SampledOptions sampled) throws IOException, OrtException {
        ExemplarPool pool = new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME)));
        ModelVersion manifest = folder.manifest();
        ModelTokenizer tokenizer = ModelTokenizer.load(folder);
        try {
            OnnxCausalLm lm = OnnxCausalLm.load(folder, runtime);
            try {
                // A sealed version can still be broken: logits that do not cover its tokenizer's ids fail
                // every batch or yield wrong verdicts. Refused before it serves (the trainer checks the same).
                VocabularyCheck.check(manifest, folder.file(ModelTokenizer.TOKENIZER_FILE), tokenizer, lm);
                // An answer ends at the terminator or any EOS id the version's generation_config.json lists.
                ExactSlick exact = ExactSlick.forVersion(folder, lm, tokenizer, pool, config);
                if (method == SlickMethod.EXACT) {
                    // Shared prefixes where the version has a KV-cache export: the same verdicts, each
                    // prompt (or, per relation, each set of exemplars) computed once (docs/slick.md).
                    PrefixScorer scorer = PrefixScorer.forFolder(folder, runtime, 0, lm);
                    return scorer == null ? new ServingModel(manifest, lm, tokenizer, exact, exact, null, config)
                            : new ServingModel(manifest, lm, tokenizer, exact, exact.scoredBy(scorer), scorer, config);
                }
                TokenDecoder decoder = TokenDecoder.forFolder(folder, runtime, lm, 0);
                SampledSlick sampledSlick = new SampledSlick(decoder, tokenizer, manifest.key(),
                        manifest.promptTemplate(), manifest.answerTerminator(), pool, config, sampled)
                        .stoppingAlsoAt(exact.stops().ids());
                return new ServingModel(manifest, lm, tokenizer, exact, sampledSlick, decoder, config);
            } catch (RuntimeException | OrtException | IOException e) {
                lm.close();
                throw e;
            }
        } catch (RuntimeException | OrtException | IOException e) {
            tokenizer.close();
            throw e;
        }
    }

    public ModelVersion version() {
        return version;
    }

    public String key() {
        return version.key();
    }

    /** Teacher-forced SliCK (also the plain-question check of probes, whatever the method). */
    public ExactSlick exact() {
        return exact;
    }

    /** The configured method's categorizer. */
    public SlickCategorizer categorizer() {
        return categorizer;
    }

    public SlickConfig config() {
        return config;
    }

    public int maxPositions() {
        return lm.maxPositions();
    }

    @Override
    public void close() throws OrtException {
        try {
            if (kvSession != null) {
                kvSession.close();
            }
        } finally {
            try {
                lm.close();
            } finally {
                tokenizer.close();
            }
        }
    }
}
