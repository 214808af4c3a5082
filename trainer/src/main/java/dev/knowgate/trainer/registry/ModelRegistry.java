package dev.knowgate.trainer.registry;

import ai.onnxruntime.OrtException;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.model.registry.ManifestSigner;
import dev.knowgate.model.registry.ModelFolderException;
import dev.knowgate.model.registry.RegistryOrigin;
import dev.knowgate.model.registry.TrustedKeys;
import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.model.runtime.OnnxCausalLm;
import dev.knowgate.model.runtime.RuntimeOptions;
import dev.knowgate.model.runtime.VocabularyCheck;
import dev.knowgate.model.slick.ExemplarFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The model registry on disk: one folder per version, {@code <root>/<name>/<version>/}, each sealed
 * with its manifest. A version is built in a staging folder beside its final place, sealed, checked
 * against the model contract, and renamed into place in one atomic step, so a reader (or a restarted
 * trainer) sees either no folder or a complete, verified one. Every version it installs is signed
 * (manifest.sig, {@link ManifestSigner}): readers load only signed versions from this root
 * ({@link RegistryOrigin}), whatever the models topic says.
 */
public final class ModelRegistry {

    private static final String STAGING = ".staging-";
    private static final String WORK = ".work";

    private final Path root;
    private final ManifestSigner signer;
    private final RegistryOrigin origin;

    /** A registry at {@code root} whose versions {@code signer} signs and that trusts {@code trusted}'s keys. */
    public ModelRegistry(Path root, ManifestSigner signer, RegistryOrigin.KeySource trusted) {
        this.root = root.toAbsolutePath().normalize();
        this.signer = signer;
        this.origin = new RegistryOrigin(this.root, trusted);
    }

    public Path root() {
        return root;
    }

    /**
     * A registry that signs with the key in {@code signingKey} (a new pair is made, its public half in
     * {@code publicKey}, when it does not exist) and trusts {@code publicKey}: a local run's or a test's.
     */
    public static ModelRegistry withLocalKey(Path root, Path signingKey, Path publicKey) throws IOException {
        return new ModelRegistry(root, ManifestSigner.loadOrGenerate(signingKey, publicKey), () -> TrustedKeys.load(publicKey));
    }

    /** How a version announced on the models topic is checked before the trainer builds on it. */
    public RegistryOrigin origin() {
        return origin;
    }

    public Path folder(String name, long version) {
        return root.resolve(name).resolve(Long.toString(version));
    }

    /** An empty staging folder for {@code name@version}, its leftovers from an interrupted attempt removed. */
    public Path stage(String name, long version) throws IOException {
        Path staging = root.resolve(name).resolve(STAGING + version);
        deleteTree(staging);
        deleteTree(staging.resolveSibling(staging.getFileName() + WORK));
        Files.createDirectories(staging);
        return staging;
    }

    /**
     * Seals the staging folder (the manifest lists every file with its sha256), checks it against the
     * model contract, and renames it to {@code <root>/<name>/<version>}. A tokenizer.json or
     * exemplars.jsonl the backend did not write is inherited from the parent.
     */
    public ModelFolder install(Path staging, ModelFolder parent, Function<List<ModelFile>, ModelVersion> manifestFor)
            throws IOException, ModelFolderException {
        ModelVersion manifest = seal(staging, parent, manifestFor).manifest();
        Path target = folder(manifest.name(), manifest.version());
        if (Files.exists(target)) {
            throw new IOException(target + " exists: version " + manifest.key() + " is already in the registry");
        }
        signer.sign(staging);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(staging.resolveSibling(staging.getFileName() + WORK));
        return ModelFolder.open(target);
    }

    /**
     * Seals the staging folder (inheriting the parent's tokenizer.json and exemplars.jsonl when the
     * backend wrote none) and checks it against the model contract, without installing it: what a
     * round measures before its final manifest is written. Sealing again replaces the manifest.
     */
    public ModelFolder seal(Path staging, ModelFolder parent, Function<List<ModelFile>, ModelVersion> manifestFor)
            throws IOException, ModelFolderException {
        for (String inherited : List.of(ModelTokenizer.TOKENIZER_FILE, ExemplarFile.FILE_NAME)) {
            if (!Files.exists(staging.resolve(inherited)) && parent.manifest().file(inherited).isPresent()) {
                Files.copy(parent.file(inherited), staging.resolve(inherited));
            }
        }
        ModelFolder.seal(staging, manifestFor);
        ModelFolder sealed = ModelFolder.open(staging);
        checkContract(sealed);
        return sealed;
    }

    /**
     * Copies a base model folder into the registry as its own version (the lineage's first), signed
     * with this registry's key, or returns the registry's copy when it is already there with the same
     * files (signed again if its signature is not one the registry trusts, as after a key rotation:
     * the operator chose this base model).
     */
    public ModelFolder register(ModelFolder base) throws IOException, ModelFolderException {
        ModelVersion m = base.manifest();
        Path target = folder(m.name(), m.version());
        if (Files.exists(target)) {
            ModelFolder existing = ModelFolder.open(target);
            if (!existing.manifest().files().equals(m.files())) {
                throw new IOException(target + " holds other files than " + base.dir() + " for " + m.key());
            }
            try {
                origin.verify(existing);
            } catch (ModelFolderException e) {
                signer.sign(existing.dir());
            }
            return existing;
        }
        Path staging = stage(m.name(), m.version());
        try (Stream<Path> files = Files.walk(base.dir())) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path to = staging.resolve(base.dir().relativize(p).toString());
                Files.createDirectories(to.getParent());
                Files.copy(p, to);
            }
        }
        ModelFolder.open(staging); // the copy is what the manifest says
        signer.sign(staging);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        return ModelFolder.open(target);
    }

    /** Version numbers with a folder under {@code <root>/<name>/}, ascending. */
    public List<Long> versions(String name) throws IOException {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Long> versions = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                String f = p.getFileName().toString();
                if (f.matches("[1-9][0-9]{0,17}") && Files.isDirectory(p)) {
                    versions.add(Long.parseLong(f));
                }
            }
        }
        versions.sort(Comparator.naturalOrder());
        return versions;
    }

    /** Removes staging folders left by an interrupted round. */
    public void cleanStaging(String name) throws IOException {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(p -> p.getFileName().toString().startsWith(STAGING)).toList()) {
                deleteTree(p);
            }
        }
    }

    /** Removes a version's folder (an unpublished one the trainer will not publish). */
    public void delete(String name, long version) throws IOException {
        Path target = folder(name, version);
        // Renamed away first so that no reader ever sees a half-deleted version.
        Path doomed = target.resolveSibling(STAGING + "deleted-" + version);
        if (Files.exists(target)) {
            deleteTree(doomed);
            Files.move(target, doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
        }
    }

    /**
     * What a consumer of the models topic needs of a version: its model.onnx runs in ONNX Runtime on
     * a prompt built from the manifest's template, the logits cover the tokenizer's ids, the answer
     * terminator is a token, and exemplars.jsonl (SliCK's few-shot pool) reads.
     */
    static void checkContract(ModelFolder folder) throws IOException {
        ModelVersion m = folder.manifest();
        for (String required : List.of(OnnxCausalLm.MODEL_FILE, ModelTokenizer.TOKENIZER_FILE, ExemplarFile.FILE_NAME)) {
            if (m.file(required).isEmpty()) {
                throw new IOException(m.key() + ": the model contract needs " + required);
            }
        }
        ExemplarFile.read(folder.file(ExemplarFile.FILE_NAME));
        try (ModelTokenizer tokenizer = ModelTokenizer.load(folder);
             OnnxCausalLm model = OnnxCausalLm.load(folder, RuntimeOptions.cpu())) {
            // The same check categorize-stream makes before it loads a version.
            VocabularyCheck.check(m, folder.file(ModelTokenizer.TOKENIZER_FILE), tokenizer, model);
        } catch (OrtException | RuntimeException e) {
            throw new IOException(m.key() + " does not run as a causal LM: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
