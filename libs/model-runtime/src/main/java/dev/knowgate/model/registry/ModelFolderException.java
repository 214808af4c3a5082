package dev.knowgate.model.registry;

/** A model version folder that must not be loaded: names the file and what is wrong with it. */
public class ModelFolderException extends Exception {

    /** What is wrong. */
    public enum Problem { MISSING_MANIFEST, INVALID_MANIFEST, MISSING_FILE, SIZE_MISMATCH, CHECKSUM_MISMATCH, OUTSIDE_FOLDER, UNREADABLE }

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
