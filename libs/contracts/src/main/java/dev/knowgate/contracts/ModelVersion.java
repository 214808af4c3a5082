package dev.knowgate.contracts;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model version: the manifest.json of its folder, and the value on the compacted models
 * topic (where {@link #location()} says where the registry keeps the folder).
 *
 * @param schemaVersion    {@link SchemaVersions#CURRENT}; absent in JSON means current
 * @param name             registry name, a slug
 * @param version          1, 2, ... per name
 * @param parent           the version this one was fine-tuned from; null for a base model
 * @param architecture     how to run it: "knowgate-gpt", "hf-causal-lm", ...
 * @param files            every file of the folder but the manifest, with its sha256; sorted by path
 * @param promptTemplate   the template questions are put in
 * @param answerTerminator what ends an answer ("\n")
 * @param createdAt        when the version was created
 * @param round            the training round that produced it; null for a base model
 * @param location         where the registry keeps the folder; on the topic, not in the manifest file
 */
public record ModelVersion(
        @JsonDeserialize(using = SchemaVersionDeserializer.class) int schemaVersion,
        String name,
        long version,
        Long parent,
        String architecture,
        List<ModelFile> files,
        String promptTemplate,
        String answerTerminator,
        Instant createdAt,
        RoundSummary round,
        String location) {

    /** The manifest cannot list its own checksum, so it is never among {@link #files()}. */
    public static final String MANIFEST_FILE = "manifest.json";
    public static final int MAX_FILES = 1_000;
    public static final int MAX_TEMPLATE_LENGTH = 8_192;
    public static final int MAX_LOCATION_LENGTH = 2_048;

    public ModelVersion {
        SchemaVersions.require(schemaVersion);
        Require.modelName("name", name);
        Require.atLeast("version", version, 1L);
        if (parent != null && (parent < 1 || parent >= version)) {
            throw ContractViolation.invalid("parent", "must be an earlier version (1 to " + (version - 1) + "), got " + parent);
        }
        Require.line("architecture", architecture, Example.MAX_LABEL_LENGTH);
        files = sortedFiles(files);
        Require.text("promptTemplate", promptTemplate, MAX_TEMPLATE_LENGTH);
        Require.nonEmpty("answerTerminator", answerTerminator, Example.MAX_LABEL_LENGTH);
        Require.present("createdAt", createdAt);
        location = Require.optionalLine("location", location, MAX_LOCATION_LENGTH);
    }

    /** The key on the models topic, compacted per version: "name@version". */
    public static String keyOf(String name, long version) {
        return name + "@" + version;
    }

    /** This version's key on the models topic: "name@version". */
    public String key() {
        return keyOf(name, version);
    }

    /** The copy the registry publishes: the same manifest, with where to find the folder. */
    public ModelVersion withLocation(String location) {
        return new ModelVersion(schemaVersion, name, version, parent, architecture, files,
                promptTemplate, answerTerminator, createdAt, round, location);
    }

    /** The file at {@code path} ("model.onnx"), if the version has one. */
    public Optional<ModelFile> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    // Sorted so that a manifest's bytes do not depend on the order the folder was listed in.
    private static List<ModelFile> sortedFiles(List<ModelFile> files) {
        List<ModelFile> checked = Require.list("files", files, MAX_FILES, (path, file) -> file);
        if (checked.isEmpty()) {
            throw ContractViolation.invalid("files", "must list at least one file");
        }
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < checked.size(); i++) {
            String path = checked.get(i).path();
            if (path.equals(MANIFEST_FILE)) {
                throw ContractViolation.invalid("files[" + i + "].path", "must not be the manifest itself");
            }
            if (!paths.add(path)) {
                throw ContractViolation.invalid("files[" + i + "].path", "repeats " + Require.quote(path));
            }
        }
        List<ModelFile> sorted = new ArrayList<>(checked);
        sorted.sort(Comparator.comparing(ModelFile::path));
        return List.copyOf(sorted);
    }
}
