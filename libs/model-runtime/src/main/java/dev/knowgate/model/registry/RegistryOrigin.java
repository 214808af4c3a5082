package dev.knowgate.model.registry;

import dev.knowgate.contracts.ModelVersion;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import static dev.knowgate.model.registry.ModelFolderException.Problem;

/**
 * Where an announced version may come from. Anyone who can write to the models topic can announce
 * anything, so a reader loads a version only when (1) its location is the registry's own folder for
 * that name and version, {@code <root>/<name>/<version>}, after following links, (2) the folder
 * matches its manifest ({@link ModelFolder#open}), and names that version, and (3) a trusted key
 * signed that manifest ({@link TrustedKeys#verify}). The trusted keys are read at every check, so a
 * rotated key file applies without a restart.
 */
public final class RegistryOrigin {

    /** Reads the trusted keys when a version is checked. */
    @FunctionalInterface
    public interface KeySource {
        TrustedKeys get() throws IOException;
    }

    private final Path root;
    private final KeySource keys;

    public RegistryOrigin(Path root, KeySource keys) {
        this.root = root.toAbsolutePath().normalize();
        this.keys = keys;
    }

    /** Trusts the keys in {@code trustedKeysFile}, read at every check. */
    public static RegistryOrigin of(Path root, Path trustedKeysFile) {
        return new RegistryOrigin(root, () -> TrustedKeys.load(trustedKeysFile));
    }

    public Path root() {
        return root;
    }

    /** The announced version's folder, opened and verified; refused with the reason otherwise. */
    public ModelFolder open(ModelVersion announced) throws ModelFolderException {
        Path expected = root.resolve(announced.name()).resolve(Long.toString(announced.version()));
        Path dir = expected;
        if (announced.location() != null) {
            dir = locationPath(announced);
            if (!sameFolder(dir, expected) && !dir.toAbsolutePath().normalize().equals(expected)) {
                throw new ModelFolderException(Problem.OUTSIDE_REGISTRY, ModelVersion.MANIFEST_FILE, announced.key()
                        + " was announced at " + announced.location() + ", which is not the registry's folder for it ("
                        + expected + ")", null);
            }
        }
        return openVerified(dir, announced.name(), announced.version());
    }

    /** The registry's folder for {@code name@version}, opened and verified. */
    public ModelFolder open(String name, long version) throws ModelFolderException {
        return openVerified(root.resolve(name).resolve(Long.toString(version)), name, version);
    }

    private ModelFolder openVerified(Path dir, String name, long version) throws ModelFolderException {
        ModelFolder folder = ModelFolder.open(dir);
        ModelVersion found = folder.manifest();
        if (!found.name().equals(name) || found.version() != version) {
            throw new ModelFolderException(Problem.VERSION_MISMATCH, ModelVersion.MANIFEST_FILE,
                    ModelVersion.keyOf(name, version) + ": the folder at " + dir + " holds " + found.key(), null);
        }
        verify(folder);
        return folder;
    }

    /** Checks the signature of a folder already opened (one the reader found in its registry itself). */
    public void verify(ModelFolder folder) throws ModelFolderException {
        TrustedKeys trusted;
        try {
            trusted = keys.get();
        } catch (IOException e) {
            throw new ModelFolderException(Problem.UNSIGNED, ManifestSignature.FILE, folder.manifest().key()
                    + " cannot be checked: " + e.getMessage(), e);
        }
        trusted.verify(folder);
    }

    private static Path locationPath(ModelVersion announced) throws ModelFolderException {
        String location = announced.location();
        try {
            return Path.of(location.startsWith("file:") ? java.net.URI.create(location).getPath() : location);
        } catch (IllegalArgumentException e) { // InvalidPathException included
            throw new ModelFolderException(Problem.OUTSIDE_REGISTRY, ModelVersion.MANIFEST_FILE,
                    announced.key() + ": location '" + location + "' is not a path", e);
        }
    }

    // Both resolved through links: a link inside the registry to a folder elsewhere is still elsewhere.
    private static boolean sameFolder(Path location, Path expected) {
        try {
            return location.toRealPath().equals(expected.toRealPath());
        } catch (IOException | InvalidPathException e) {
            return false;
        }
    }
}
