package dev.knowgate.e2e;

import dev.knowgate.tools.pretrain.PretrainCommand;
import dev.knowgate.tools.pretrain.Pretrainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The micro model that several end-to-end tests serve, pretrained once per build into
 * target/e2e-run/model. Test classes run in two JVMs at once (surefire's forkCount), so the first to
 * need it makes it under a file lock and the others wait for it instead of reading half a folder.
 */
final class MicroModel {

    private MicroModel() {
    }

    static Path get() throws Exception {
        Path run = Files.createDirectories(Path.of("target", "e2e-run").toAbsolutePath());
        Path model = run.resolve("model");
        try (FileChannel lock = FileChannel.open(run.resolve("model.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); var held = lock.lock()) {
            if (!Files.exists(model.resolve("manifest.json"))) {
                new Pretrainer(PretrainCommand.parse(new String[]{"--preset", "micro", "--out", model.toString(), "--force"}),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();
            }
        }
        return model;
    }
}
