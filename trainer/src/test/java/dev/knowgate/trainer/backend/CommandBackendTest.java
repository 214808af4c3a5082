package dev.knowgate.trainer.backend;

import dev.knowgate.model.registry.ModelFolder;
import dev.knowgate.trainer.registry.ModelRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The command backend with real external processes: a failing, hanging or contract-breaking command
 * produces no version. The worked example (bin/finetune's program, which lives in the tools module)
 * is tested there: tools' FineTuneCommandBackendTest.
 */
class CommandBackendTest {

    static RoundFixture round;
    static ModelFolder parent;
    static List<RoundExample> train;
    static List<RoundExample> dev;

    @TempDir
    Path tmp;

    @BeforeAll
    static void examples() throws Exception {
        round = RoundFixture.load();
        parent = round.parent();
        train = round.train();
        dev = round.dev();
    }

    @Test
    void aFailingCommandFailsTheRoundWithItsOutput() throws Exception {
        Path script = script("echo 'out of GPU memory' >&2\nexit 3\n");
        CommandBackend backend = new CommandBackend(script + " {train}", Duration.ofMinutes(1));
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"), tmp.resolve("keys/signing.pub"));
        Path staging = registry.stage("knowgate-base", 2);
        assertThatThrownBy(() -> backend.train(new RoundDataset("r", "knowgate-base", 2, train, dev), parent, staging))
                .hasMessageContaining("exited with 3").hasMessageContaining("out of GPU memory");
    }

    @Test
    void aHangingCommandIsKilledAtItsTimeout() throws Exception {
        Path script = script("sleep 30\n");
        CommandBackend backend = new CommandBackend(script.toString(), Duration.ofSeconds(1));
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"), tmp.resolve("keys/signing.pub"));
        Path staging = registry.stage("knowgate-base", 2);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> backend.train(new RoundDataset("r", "knowgate-base", 2, train, dev), parent, staging))
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aFolderThatBreaksTheModelContractIsNotInstalled() throws Exception {
        Path script = script("echo 'not a model' > \"$KNOWGATE_OUT/model.onnx\"\n");
        CommandBackend backend = new CommandBackend(script.toString(), Duration.ofMinutes(1));
        ModelRegistry registry = ModelRegistry.withLocalKey(tmp.resolve("registry"), tmp.resolve("keys/signing.key"), tmp.resolve("keys/signing.pub"));
        Path staging = registry.stage("knowgate-base", 2);
        backend.train(new RoundDataset("r", "knowgate-base", 2, train, dev), parent, staging);
        assertThatThrownBy(() -> registry.install(staging, parent, round::manifest))
                .hasMessageContaining("knowgate-base@2 does not run as a causal LM");
        assertThat(registry.versions("knowgate-base")).isEmpty();
    }

    @Test
    void aMissingProgramIsReportedAsUnavailable() {
        assertThat(new CommandBackend("no-such-trainer-program --x", Duration.ofMinutes(1)).unavailable())
                .hasValueSatisfying(why -> assertThat(why).contains("no-such-trainer-program is not on the PATH"));
        assertThat(new CommandBackend("/nope/train.sh", Duration.ofMinutes(1)).unavailable())
                .hasValueSatisfying(why -> assertThat(why).contains("not an executable file"));
    }

    private Path script(String body) throws Exception {
        Path script = tmp.resolve("train-" + System.nanoTime() + ".sh");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
