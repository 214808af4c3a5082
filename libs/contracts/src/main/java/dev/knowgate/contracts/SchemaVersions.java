package dev.knowgate.contracts;

/**
 * The one place that says which schema version this build writes and reads.
 *
 * <p>Policy: adding an optional field keeps the version; anything a reader of the current
 * version would misread (a removed, renamed, retyped or newly required field, a changed
 * meaning) bumps it. A document without a schemaVersion is read as {@link #CURRENT}.
 */
public final class SchemaVersions {

    /** The version this build writes, and the only one it reads. */
    public static final int CURRENT = 1;

    private SchemaVersions() {
    }

    /** Returns the version if this build reads it, else throws unsupported_schema_version. */
    public static int require(int version) {
        if (version != CURRENT) {
            throw unsupported(Long.toString(version), "schemaVersion");
        }
        return version;
    }

    /** @param shown the version as the document spelled it (it may not even fit an int) */
    public static ContractViolation unsupported(String shown, String field) {
        return new ContractViolation(RejectionReason.UNSUPPORTED_SCHEMA_VERSION, field,
                "unsupported schemaVersion " + shown + " (this build reads " + CURRENT + ")");
    }
}
