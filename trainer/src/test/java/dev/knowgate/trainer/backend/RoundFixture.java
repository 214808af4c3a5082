package dev.knowgate.trainer.backend;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ModelFile;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.KnownFacts;

import java.time.Instant;
import java.util.List;

/**
 * One round for the command backend's tests (CommandBackendTest here, FineTuneCommandBackendTest in
 * tools): the shipped base model, the first 40 pool facts with their real verdicts under it (32 to
 * train on, 8 for dev), and the manifest of the version 2 a round over them seals.
 */
public record RoundFixture(ModelFolder parent, List<RoundExample> train, List<RoundExample> dev) {

    public static RoundFixture load() throws Exception {
        ModelFolder parent = ModelFolder.open(KnownFacts.BASE);
        List<CategorizedExample> facts = KnownFacts.categorized(KnownFacts.BASE, 40);
        List<RoundExample> all = facts.stream().map(RoundExample::of).toList();
        return new RoundFixture(parent, all.subList(0, 32), all.subList(32, 40));
    }

    /** The manifest of the parent's version 2 over {@code files}. */
    public ModelVersion manifest(List<ModelFile> files) {
        ModelVersion p = parent.manifest();
        return new ModelVersion(SchemaVersions.CURRENT, p.name(), 2, p.version(), p.architecture(), files,
                p.promptTemplate(), p.answerTerminator(), Instant.now(), null, null);
    }
}
