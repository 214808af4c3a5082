package dev.knowgate.categorize.model;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.ModelFolderException;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SlickConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a model version into a {@link ServingModel}, or refuses it: the folder must pass
 * {@link ModelFolder#open} (every file's size and sha256), be the version announced, and its logits
 * must cover its tokenizer's ids ({@link VocabularyCheck}, reason {@code vocabulary_mismatch}).
 */
public final class ModelLoader {

    private final RuntimeOptions runtime;
    private final SlickConfig slick;
    private final SlickMethod method;
    private final SampledOptions sampled;

    /** Exact SliCK. */
    public ModelLoader(RuntimeOptions runtime, SlickConfig slick) {
        this(runtime, slick, SlickMethod.EXACT, SampledOptions.defaults());
    }

    public ModelLoader(RuntimeOptions runtime, SlickConfig slick, SlickMethod method, SampledOptions sampled) {
        this.runtime = runtime;
        this.slick = slick;
        this.method = method;
        this.sampled = sampled;
    }

    /** Loads the version a models-topic record announces, from its location. */
    public ServingModel load(ModelVersion announced) throws ModelRefusedException {
        if (announced.location() == null) {
            throw new ModelRefusedException("no_location", announced.key() + " has no location", null);
        }
        Path dir;
        try {
            dir = Path.of(announced.location().startsWith("file:")
                    ? java.net.URI.create(announced.location()).getPath() : announced.location());
        } catch (IllegalArgumentException e) { // InvalidPathException included
            throw new ModelRefusedException("bad_location", announced.key() + ": location '" + announced.location()
                    + "' is not a path", e);
        }
        ModelFolder folder = open(dir);
        ModelVersion found = folder.manifest();
        if (!found.name().equals(announced.name()) || found.version() != announced.version()) {
            throw new ModelRefusedException("version_mismatch", announced.key() + ": the folder at " + dir
                    + " holds " + found.key(), null);
        }
        return load(folder);
    }

    /** Loads a folder given directly (the initial model). */
    public ServingModel load(Path dir) throws ModelRefusedException {
        return load(open(dir));
    }

    private static ModelFolder open(Path dir) throws ModelRefusedException {
        try {
            return ModelFolder.open(dir);
        } catch (ModelFolderException e) {
            throw new ModelRefusedException(e.problem().name().toLowerCase(Locale.ROOT), e.getMessage(), e);
        }
    }

    private ServingModel load(ModelFolder folder) throws ModelRefusedException {
        try {
            return ServingModel.load(folder, runtime, slick, method, sampled);
        } catch (VocabularyCheck.MismatchException e) {
            throw new ModelRefusedException("vocabulary_mismatch", e.getMessage(), e);
        } catch (IOException | OrtException | RuntimeException e) {
            throw new ModelRefusedException("load_error", folder.manifest().key() + " failed to load: " + e.getMessage(), e);
        }
    }
}
