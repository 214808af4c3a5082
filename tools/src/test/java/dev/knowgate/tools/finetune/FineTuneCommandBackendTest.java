package dev.knowgate.tools.finetune;

import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.KnownFacts;
import dev.knowgate.trainer.backend.CommandBackend;
import dev.knowgate.trainer.backend.RoundDataset;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.backend.TrainingOutcome;
import dev.knowgate.trainer.registry.ModelRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trainer's command backend with its worked example (bin/finetune's program, a separate JVM):
 * it produces a version the registry seals and verifies. Moved here from the trainer's
 * CommandBackendTest with the program; the backend's failure cases are tested there.
 */
class FineTuneCommandBackendTest {

    static ModelFolder parent;
    static List<RoundExample> train;
    static List<RoundExample> dev;

    @TempDir
    Path tmp;

    @BeforeAll
    static void examples() throws Exception {
        parent = ModelFolder.open(KnownFacts.BASE);
        List<CategorizedExample> facts = KnownFacts.categorized(KnownFacts.BASE, 40);
        List<RoundExample> all = facts.stream().map(RoundExample::of).toList();
        train = all.subList(0, 32);
        dev = all.subList(32, 40);
    }

    @Test
    void theWorkedExampleCommandProducesAVersionTheRegistryAccepts() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String line = java + " -Xmx1g -Dai.djl.offline=true -cp " + System.getProperty("java.class.path") + " "
                + FineTuneCommand.class.getName()
                + " --train {train} --dev {dev} --parent {parent} --out {out} --epochs 2 --threads 1";
        CommandBackend backend = new CommandBackend(line, Duration.ofMinutes(3));
        assertThat(backend.unavailable()).isEmpty();
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"), tmp.resolve("keys/signing.pub"));
        Path staging = registry.stage("knowgate-base", 2);
        TrainingOutcome outcome = backend.train(new RoundDataset("round-cmd", "knowgate-base", 2, train, dev), parent, staging);
        assertThat(outcome.epochs()).isBetween(1, 2);
        assertThat(outcome.devAccuracy()).isNotNull();
        assertThat(Files.readString(staging.resolveSibling(staging.getFileName() + ".work").resolve(CommandBackend.LOG_FILE)))
                .contains("finetune: 32 train, 8 dev examples");

        ModelFolder installed = registry.install(staging, parent, files -> manifest(files));
        assertThat(installed.dir()).isEqualTo(registry.folder("knowgate-base", 2));
        assertThat(installed.manifest().file("model.onnx")).isPresent();
        assertThat(installed.manifest().file("tokenizer.json")).isPresent();
        assertThat(installed.manifest().file("exemplars.jsonl")).isPresent();
        assertThat(Files.exists(staging)).isFalse();
    }

    private static ModelVersion manifest(List<dev.knowgate.contracts.ModelFile> files) {
        ModelVersion p = parent.manifest();
        return new ModelVersion(SchemaVersions.CURRENT, p.name(), 2, p.version(), p.architecture(), files,
                p.promptTemplate(), p.answerTerminator(), Instant.now(), null, null);
    }
}
