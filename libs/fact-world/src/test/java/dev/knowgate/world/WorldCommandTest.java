package dev.knowgate.world;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WorldCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesAllFilesAndPrintsASummary() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WorldCommand.run(new String[]{"--seed", "7", "--preset", "micro", "--out", tmp.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        for (String file : new String[]{"pretrain.jsonl", "finetune.jsonl", "dev.jsonl", "probes.jsonl", "world.json", "tokenizer.json"}) {
            assertThat(tmp.resolve(file)).isRegularFile();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("seed=7 preset=micro", "facts 300", "finetune.jsonl  180");
        // Same bytes as the library writes for the same config.
        Path lib = tmp.resolve("lib");
        WorldFiles.writeAll(Worlds.MICRO, lib);
        assertThat(Files.readAllBytes(tmp.resolve("finetune.jsonl"))).isEqualTo(Files.readAllBytes(lib.resolve("finetune.jsonl")));
    }

    @Test
    void badUsageExitsWithTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream errs = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(WorldCommand.run(new String[]{"--preset", "micro"}, sink, errs)).isEqualTo(2);
        assertThat(WorldCommand.run(new String[]{"--preset", "huge", "--out", tmp.toString()}, sink, errs)).isEqualTo(2);
        assertThat(WorldCommand.run(new String[]{"--seed", "x", "--out", tmp.toString()}, sink, errs)).isEqualTo(2);
        assertThat(WorldCommand.run(new String[]{"--bogus"}, sink, errs)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
    }
}
