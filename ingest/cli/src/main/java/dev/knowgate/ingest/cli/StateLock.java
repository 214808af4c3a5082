package dev.knowgate.ingest.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keeps two pushes from working on the same state file at once (two terminals, one file): an
 * OS lock on {@code <state>.lock}, released and the file removed when the push ends. A second
 * push is refused with a message rather than racing the first.
 */
final class StateLock implements AutoCloseable {

    private final Path path;
    private final RandomAccessFile file;
    private final FileLock lock;

    private StateLock(Path path, RandomAccessFile file, FileLock lock) {
        this.path = path;
        this.file = file;
        this.lock = lock;
    }

    static StateLock acquire(Path stateFile) throws PushException {
        Path path = stateFile.resolveSibling(stateFile.getFileName() + ".lock");
        RandomAccessFile file;
        try {
            file = new RandomAccessFile(path.toFile(), "rw");
        } catch (IOException e) {
            throw new PushException("cannot create " + path + " next to the progress file (" + e.getMessage()
                    + "); give a writable place with --state", e);
        }
        FileLock lock;
        try {
            lock = file.getChannel().tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // refusing anyway
            }
            throw new PushException("another knowgate-push is working on " + stateFile + " (" + path
                    + " is locked); wait for it to finish, or stop it (Ctrl-C saves its progress)");
        }
        return new StateLock(path, file, lock);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale lock file is harmless: the OS lock is what counts
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the file releases it too
        }
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
