package dev.knowgate.model.registry;

/** A model version folder that must not be loaded: names the file and what is wrong with it. */
public class ModelFolderException extends Exception {

    /** What is wrong. */
    public enum Problem { MISSING_MANIFEST, INVALID_MANIFEST, MISSING_FILE, SIZE_MISMATCH, CHECKSUM_MISMATCH, OUTSIDE_FOLDER, UNREADABLE,
        /** Announced from a location that is not the registry's folder for that name and version. */
        OUTSIDE_REGISTRY,
        /** The folder holds another version than the one announced. */
        VERSION_MISMATCH,
        /** No manifest.sig, or none made by a trusted key. */
        UNSIGNED,
        /** A manifest.sig that no trusted key verifies: the manifest changed after signing, or another key signed it. */
        BAD_SIGNATURE }

    private final Problem problem;
    private final String file;

    public ModelFolderException(Problem problem, String file, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.file = file;
    }

    public Problem problem() {
        return problem;
    }

    /** The file the problem is about, relative to the folder. */
    public String file() {
        return file;
    }
}
