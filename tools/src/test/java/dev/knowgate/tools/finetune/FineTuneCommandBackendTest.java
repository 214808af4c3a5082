package dev.knowgate.tools.finetune;

import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.backend.CommandBackend;
import dev.knowgate.trainer.backend.RoundDataset;
import dev.knowgate.trainer.backend.RoundFixture;
import dev.knowgate.trainer.backend.TrainingOutcome;
import dev.knowgate.trainer.registry.ModelRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trainer's command backend with its worked example (bin/finetune's program, a separate JVM):
 * it produces a version the registry seals and verifies. Moved here from the trainer's
 * CommandBackendTest with the program; the backend's failure cases are tested there.
 */
class FineTuneCommandBackendTest {

    @TempDir
    Path tmp;

    @Test
    void theWorkedExampleCommandProducesAVersionTheRegistryAccepts() throws Exception {
        RoundFixture round = RoundFixture.load();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String line = java + " -Xmx1g -Dai.djl.offline=true -cp " + System.getProperty("java.class.path") + " "
                + FineTuneCommand.class.getName()
                + " --train {train} --dev {dev} --parent {parent} --out {out} --epochs 2 --threads 1";
        CommandBackend backend = new CommandBackend(line, Duration.ofMinutes(3));
        assertThat(backend.unavailable()).isEmpty();
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"), tmp.resolve("keys/signing.pub"));
        Path staging = registry.stage("knowgate-base", 2);
        TrainingOutcome outcome = backend.train(new RoundDataset("round-cmd", "knowgate-base", 2, round.train(), round.dev()),
                round.parent(), staging);
        assertThat(outcome.epochs()).isBetween(1, 2);
        assertThat(outcome.devAccuracy()).isNotNull();
        assertThat(Files.readString(staging.resolveSibling(staging.getFileName() + ".work").resolve(CommandBackend.LOG_FILE)))
                .contains("finetune: 32 train, 8 dev examples");

        ModelFolder installed = registry.install(staging, round.parent(), round::manifest);
        assertThat(installed.dir()).isEqualTo(registry.folder("knowgate-base", 2));
        assertThat(installed.manifest().file("model.onnx")).isPresent();
        assertThat(installed.manifest().file("tokenizer.json")).isPresent();
        assertThat(installed.manifest().file("exemplars.jsonl")).isPresent();
        assertThat(Files.exists(staging)).isFalse();
    }
}
