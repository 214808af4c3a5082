package dev.knowgate.categorize.model;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.ModelFolderException;
import dev.knowgate.model.registry.RegistryOrigin;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.contracts.SlickMethod;
import dev.knowgate.model.slick.SampledOptions;
import dev.knowgate.model.slick.SlickConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a model version into a {@link ServingModel}, or refuses it. An announced version must come
 * from the registry ({@link RegistryOrigin}: the registry's own folder for it, every file's size and
 * sha256, a manifest signed by a trusted key); every version's logits must cover its tokenizer's ids
 * ({@link VocabularyCheck}, reason {@code vocabulary_mismatch}).
 */
public final class ModelLoader {

    private final RuntimeOptions runtime;
    private final SlickConfig slick;
    private final SlickMethod method;
    private final SampledOptions sampled;
    private final RegistryOrigin origin;

    /** Exact SliCK, for folders given directly: every announced version is refused. */
    public ModelLoader(RuntimeOptions runtime, SlickConfig slick) {
        this(runtime, slick, SlickMethod.EXACT, SampledOptions.defaults(), null);
    }

    /** {@code origin} null: only folders given directly load. */
    public ModelLoader(RuntimeOptions runtime, SlickConfig slick, SlickMethod method, SampledOptions sampled,
                       RegistryOrigin origin) {
        this.runtime = runtime;
        this.slick = slick;
        this.method = method;
        this.sampled = sampled;
        this.origin = origin;
    }

    /** Loads the version a models-topic record announces, from the registry. */
    public ServingModel load(ModelVersion announced) throws ModelRefusedException {
        if (origin == null) {
            throw new ModelRefusedException("outside_registry", announced.key() + ": no registry is configured", null);
        }
        try {
            return load(origin.open(announced));
        } catch (ModelFolderException e) {
            throw refused(e);
        }
    }

    /** Loads a folder given directly (the initial model). */
    public ServingModel load(Path dir) throws ModelRefusedException {
        return load(open(dir));
    }

    private static ModelFolder open(Path dir) throws ModelRefusedException {
        try {
            return ModelFolder.open(dir);
        } catch (ModelFolderException e) {
            throw refused(e);
        }
    }

    private static ModelRefusedException refused(ModelFolderException e) {
        return new ModelRefusedException(e.problem().name().toLowerCase(Locale.ROOT), e.getMessage(), e);
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
