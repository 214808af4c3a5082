package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.knowgate.model.registry.ModelFolder;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads ONNX Runtime and creates its sessions on a thread with a large stack. Loading the native
 * library (the first {@code OrtEnvironment.getEnvironment()}) and creating sessions need more
 * native stack than the main thread or a default Java thread (1 MB) may have: ONNX Runtime 1.29
 * then dies with SIGSEGV (no Java exception, no hs_err file), as seen from command-line tools and
 * a forked JVM. Running these calls on their own thread makes the stack they get independent of
 * the caller's. Inference itself runs on the caller's thread (stream threads included).
 */
public final class SessionLoader {

    /** Measured: 8 MB suffices for the shipped model; 64 MB leaves room for larger exports. */
    static final long STACK_BYTES = 64L << 20;

    private SessionLoader() {
    }

    /** The ONNX Runtime environment, its native library loaded on a large stack the first time. */
    public static OrtEnvironment environment() {
        try {
            return onLargeStack(OrtEnvironment::getEnvironment, "the ONNX Runtime library");
        } catch (OrtException e) {
            throw new IllegalStateException(e); // getEnvironment declares none; kept for the signature
        }
    }

    public static OrtSession create(OrtEnvironment env, String modelPath, OrtSession.SessionOptions options)
            throws OrtException {
        return onLargeStack(() -> env.createSession(modelPath, options), modelPath);
    }

    /** Wraps a freshly created session; if it throws, the session is closed. */
    @FunctionalInterface
    public interface SessionWrapper<T> {
        T wrap(OrtEnvironment env, OrtSession session, OrtProvider provider) throws OrtException;
    }

    /**
     * Opens {@code file} of a verified model folder with the runtime options (CPU or CUDA, threads)
     * and hands the session to {@code wrapper}, closing it if the wrapper fails.
     */
    public static <T> T open(ModelFolder folder, String file, RuntimeOptions options, SessionWrapper<T> wrapper)
            throws OrtException {
        OrtEnvironment env = environment();
        try (SessionOptionsFactory.Configured configured = SessionOptionsFactory.create(options)) {
            OrtSession session = create(env, folder.file(file).toString(), configured.options());
            try {
                return wrapper.wrap(env, session, configured.provider());
            } catch (RuntimeException | OrtException e) {
                session.close();
                throw e;
            }
        }
    }

    /** As {@link #open}, for a model built in memory (a variant derived from a version's weights). */
    public static <T> T openBytes(byte[] model, String name, RuntimeOptions options, SessionWrapper<T> wrapper)
            throws OrtException {
        OrtEnvironment env = environment();
        try (SessionOptionsFactory.Configured configured = SessionOptionsFactory.create(options)) {
            OrtSession session = onLargeStack(() -> env.createSession(model, configured.options()), name);
            try {
                return wrapper.wrap(env, session, configured.provider());
            } catch (RuntimeException | OrtException e) {
                session.close();
                throw e;
            }
        }
    }

    @FunctionalInterface
    private interface OrtCall<T> {
        T call() throws OrtException;
    }

    private static <T> T onLargeStack(OrtCall<T> call, String what) throws OrtException {
        AtomicReference<T> session = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loader = new Thread(null, () -> {
            try {
                session.set(call.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "onnx-session-loader", STACK_BYTES);
        loader.start();
        try {
            loader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            try {
                loader.join(); // the session must not leak; creation cannot be cancelled
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
            }
            if (session.get() instanceof AutoCloseable c) {
                closeQuietly(c);
            }
            throw new IllegalStateException("interrupted while loading " + what, e);
        }
        Throwable t = failure.get();
        if (t instanceof OrtException e) {
            throw e;
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
        return session.get();
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception ignored) {
            // nothing more to do
        }
    }
}
