package dev.knowgate.model.registry;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.json.ContractJson;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.knowgate.model.registry.ModelFolderException.Problem;

/**
 * A model version folder whose every file matched its manifest when it was opened: model.onnx,
 * tokenizer.json, ... and manifest.json listing each with its size and SHA-256. Nothing may load a
 * model except through {@link #open}, so a tampered or incomplete folder is refused before any of
 * its bytes reach ONNX Runtime.
 */
public record ModelFolder(Path dir, ModelVersion manifest) {

    private static final int BUFFER = 1 << 20;

    /**
     * Whether a file of a model folder (top level) holds licence terms: LICENSE, LICENSE.txt,
     * LICENSE-tokenizer, licence.md, ... Whoever ships weights or a tokenizer ships their terms, so
     * every step that makes a folder from another (pre-training, a round, an import) carries these.
     */
    public static boolean isLicence(String path) {
        String name = path.toLowerCase(java.util.Locale.ROOT);
        return !name.contains("/") && (name.startsWith("license") || name.startsWith("licence"));
    }

    /** Copies the licence files ({@link #isLicence}) at the top of {@code from} into {@code to}; returns their names. */
    public static List<String> copyLicences(Path from, Path to) throws IOException {
        List<String> copied = new ArrayList<>();
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (isLicence(name)) {
                    Files.copy(f, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    copied.add(name);
                }
            }
        }
        return copied;
    }

    /** Reads the manifest and checks every file it lists; the first problem is reported, naming the file. */
    public static ModelFolder open(Path dir) throws ModelFolderException {
        Path root = realDir(dir);
        Path manifestPath = root.resolve(ModelVersion.MANIFEST_FILE);
        if (!Files.isRegularFile(manifestPath)) {
            throw new ModelFolderException(Problem.MISSING_MANIFEST, ModelVersion.MANIFEST_FILE,
                    dir + ": no " + ModelVersion.MANIFEST_FILE, null);
        }
        ModelVersion manifest;
        try {
            manifest = ContractJson.read(Files.readAllBytes(manifestPath), ModelVersion.class);
        } catch (ContractViolation e) {
            throw new ModelFolderException(Problem.INVALID_MANIFEST, ModelVersion.MANIFEST_FILE,
                    dir + "/" + ModelVersion.MANIFEST_FILE + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw unreadable(dir, ModelVersion.MANIFEST_FILE, e);
        }
        for (ModelFile listed : manifest.files()) {
            verify(root, dir, listed);
        }
        return new ModelFolder(root, manifest);
    }

    /** A listed file of this version; only paths in the manifest resolve. */
    public Path file(String path) {
        ModelFile listed = manifest.file(path)
                .orElseThrow(() -> new IllegalArgumentException("version " + manifest.key() + " has no file " + path));
        return dir.resolve(listed.path());
    }

    /**
     * Lists every regular file under {@code dir} (manifest and its signature excepted) with its size and SHA-256, builds
     * the manifest from that list and writes it atomically. The caller supplies everything else.
     */
    public static ModelVersion seal(Path dir, Function<List<ModelFile>, ModelVersion> manifestFor) throws IOException {
        Path root = dir.toRealPath();
        List<ModelFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                String relative = root.relativize(p).toString().replace('\\', '/');
                // The signature covers the manifest, so neither can be listed in it.
                if (!relative.equals(ModelVersion.MANIFEST_FILE) && !relative.equals(ManifestSignature.FILE)) {
                    files.add(new ModelFile(relative, sha256(p), Files.size(p)));
                }
            }
        }
        ModelVersion manifest = manifestFor.apply(List.copyOf(files));
        Path tmp = root.resolve(ModelVersion.MANIFEST_FILE + ".tmp");
        Files.writeString(tmp, ContractJson.writePrettyString(manifest) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, root.resolve(ModelVersion.MANIFEST_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        return manifest;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void verify(Path root, Path dir, ModelFile listed) throws ModelFolderException {
        Path file = root.resolve(listed.path()).normalize();
        if (!Files.exists(file)) {
            throw new ModelFolderException(Problem.MISSING_FILE, listed.path(),
                    dir + ": " + listed.path() + " is listed in the manifest but missing", null);
        }
        try {
            // A symbolic link may not lead out of the folder: what is verified is what is loaded.
            if (!file.toRealPath().startsWith(root)) {
                throw new ModelFolderException(Problem.OUTSIDE_FOLDER, listed.path(),
                        dir + ": " + listed.path() + " resolves outside the model folder", null);
            }
            long size = Files.size(file);
            if (size != listed.bytes()) {
                throw new ModelFolderException(Problem.SIZE_MISMATCH, listed.path(), dir + ": " + listed.path()
                        + " has " + size + " bytes, the manifest says " + listed.bytes(), null);
            }
            String actual = sha256(file);
            if (!actual.equals(listed.sha256())) {
                throw new ModelFolderException(Problem.CHECKSUM_MISMATCH, listed.path(), dir + ": " + listed.path()
                        + " has sha256 " + actual + ", the manifest says " + listed.sha256(), null);
            }
        } catch (IOException e) {
            throw unreadable(dir, listed.path(), e);
        }
    }

    private static Path realDir(Path dir) throws ModelFolderException {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new ModelFolderException(Problem.MISSING_MANIFEST, ModelVersion.MANIFEST_FILE,
                    dir + ": no such model folder", e);
        }
    }

    private static ModelFolderException unreadable(Path dir, String file, IOException e) {
        return new ModelFolderException(Problem.UNREADABLE, file, dir + ": cannot read " + file + ": " + e.getMessage(), e);
    }
}
