package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Passes of one call run at once on one ONNX Runtime session ({@link RuntimeOptions#scoringThreads()}):
 * the calling thread runs lane 0, helper daemon threads the others, each lane on its own buffers
 * ({@link KvSession#lane()}). At this project's model size a pass on ONNX Runtime's default threads
 * keeps one core busy, and a second pass at once fills another (docs/benchmarks.md, "Scoring threads").
 */
final class Lanes implements AutoCloseable {

    /** A lane's share of a call. */
    @FunctionalInterface
    interface Work<T> {
        T run(int lane) throws OrtException;
    }

    private final int count;
    private final ExecutorService helpers;

    private Lanes(int count) {
        this.count = count;
        AtomicInteger named = new AtomicInteger();
        this.helpers = count == 1 ? null : Executors.newFixedThreadPool(count - 1, task -> {
            Thread t = new Thread(task, "knowgate-scoring-" + named.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@code requested} lanes, or when it is 0: {@link PrefixScorer#AUTO_THREADS} on a CPU where the
     * JVM sees that many cores or more (fewer where it sees fewer), one on a GPU, whose pass is a
     * whole call's work already.
     */
    static Lanes of(int requested, KvSession kv) {
        return new Lanes(requested > 0 ? requested : kv.provider() == OrtProvider.CPU
                ? Math.min(PrefixScorer.AUTO_THREADS, Runtime.getRuntime().availableProcessors()) : 1);
    }

    int count() {
        return count;
    }

    /**
     * {@code work} on lanes 0 to {@code lanes - 1} at once (at most {@link #count()}), results in lane
     * order. Returns only when every lane has stopped, so the next call finds their buffers free; a
     * failure on any lane is thrown then (the first, the others suppressed).
     */
    <T> List<T> all(int lanes, Work<T> work) throws OrtException {
        if (lanes < 1 || lanes > count) {
            throw new IllegalArgumentException("lanes must be in [1, " + count + "], got " + lanes);
        }
        List<Future<T>> running = new ArrayList<>(lanes - 1);
        for (int l = 1; l < lanes; l++) {
            int lane = l;
            running.add(helpers.submit(() -> work.run(lane)));
        }
        List<T> results = new ArrayList<>(lanes);
        Throwable failure = null;
        try {
            results.add(work.run(0));
        } catch (OrtException | RuntimeException | Error e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<T> lane : running) {
            while (true) {
                try {
                    results.add(lane.get());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the lane still uses its buffers: wait for it all the same
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    } else {
                        failure.addSuppressed(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof OrtException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return results;
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdown();
        }
    }
}
