package dev.knowgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A state directory for Kafka Streams' TopologyTestDriver. The driver commits, flushes and
 * checkpoints every store after every record; on a disk with slow fsync that alone took minutes per
 * test class, so the directory is in memory (/dev/shm) where the machine has it. What is tested is
 * the same: the stores are RocksDB either way.
 */
public final class TestStateDir {

    private static final Path SHM = Path.of("/dev/shm");

    private TestStateDir() {
    }

    public static Path create(String prefix) {
        try {
            Path parent = Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
            Path dir = Files.createTempDirectory(parent, prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
