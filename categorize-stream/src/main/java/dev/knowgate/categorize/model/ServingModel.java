package dev.knowgate.categorize.model;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.slick.ExactSlick;
import dev.knowgate.model.slick.ExemplarFile;
import dev.knowgate.model.slick.ExemplarPool;
import dev.knowgate.model.slick.SlickConfig;

import java.io.IOException;

/**
 * One model version ready to categorize: its verified folder, an ONNX Runtime session, its
 * tokenizer and SliCK over the exemplars it ships with.
 */
public final class ServingModel implements AutoCloseable {

    private final ModelVersion version;
    private final OnnxCausalLm lm;
    private final ModelTokenizer tokenizer;
    private final ExactSlick slick;
    private final SlickConfig config;

    private ServingModel(ModelVersion version, OnnxCausalLm lm, ModelTokenizer tokenizer, ExactSlick slick,
                         SlickConfig config) {
        this.version = version;
        this.lm = lm;
        this.tokenizer = tokenizer;
        this.slick = slick;
        this.config = config;
    }

    /**
     * Loads a folder that {@link ModelFolder#open} has verified. Everything opened is closed again
     * when a later step fails.
     */
    public static ServingModel load(ModelFolder folder, RuntimeOptions runtime, SlickConfig config)
            throws IOException, OrtException {
        ExemplarPool pool = new ExemplarPool(ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME)));
        ModelVersion manifest = folder.manifest();
        ModelTokenizer tokenizer = ModelTokenizer.load(folder);
        try {
            OnnxCausalLm lm = OnnxCausalLm.load(folder, runtime);
            try {
                // Padded positions are masked out, so any valid id pads; 0 is one in every vocabulary.
                ExactSlick slick = new ExactSlick(lm, tokenizer, 0, manifest.key(), manifest.promptTemplate(),
                        manifest.answerTerminator(), pool, config);
                return new ServingModel(manifest, lm, tokenizer, slick, config);
            } catch (RuntimeException e) {
                lm.close();
                throw e;
            }
        } catch (RuntimeException | OrtException e) {
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

    public ExactSlick slick() {
        return slick;
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
            lm.close();
        } finally {
            tokenizer.close();
        }
    }
}
