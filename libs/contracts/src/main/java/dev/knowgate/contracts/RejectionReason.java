package dev.knowgate.contracts;

/**
 * Why a document was refused. The {@link #code()} is what goes on the wire
 * ({@link RejectedRecord#reason()}, HTTP problem details), so dashboards and replay tools
 * can group and filter rejections without parsing messages.
 */
public enum RejectionReason {
    /** Not parseable as JSON: syntax error, bad encoding, empty input, trailing content. */
    INVALID_JSON("invalid_json"),
    /** An object names the same field twice; which value wins would be parser-dependent. */
    DUPLICATE_FIELD("duplicate_field"),
    /** A required field is absent or null. */
    MISSING_FIELD("missing_field"),
    /** A field holds the wrong JSON type (a number where a string belongs, ...). */
    WRONG_TYPE("wrong_type"),
    /** The type is right but the value is not allowed (blank, out of range, unknown enum name, ...). */
    INVALID_VALUE("invalid_value"),
    /** A field, a list or the whole document exceeds a size limit. */
    TOO_LONG("too_long"),
    /** The document declares a schemaVersion this build does not read. */
    UNSUPPORTED_SCHEMA_VERSION("unsupported_schema_version");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
