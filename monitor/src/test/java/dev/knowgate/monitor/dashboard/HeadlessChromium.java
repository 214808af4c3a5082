package dev.knowgate.monitor.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium} package) driven from its command line: the
 * serialized DOM after the page's scripts ran, or a PNG screenshot. Each run gets a fresh profile
 * directory and a hard process timeout. The flags suit this project's machines: root (so no
 * sandbox), no GPU, and no network beyond the page's own server (so nothing in the background).
 *
 * <p>{@code --virtual-time-budget} lets the page's timers and fetches run in virtual time until the
 * budget is spent or the page goes idle, so a page that polls every few seconds still dumps quickly.
 */
public final class HeadlessChromium {

    /** Real time allowed beyond the virtual time budget: start-up, loading, writing the output. */
    private static final Duration MARGIN = Duration.ofSeconds(60);

    private final Path binary;

    public HeadlessChromium(Path binary) {
        this.binary = Objects.requireNonNull(binary, "binary");
    }

    /** The Chromium at {@link #executable()}, if one is installed. */
    public static Optional<HeadlessChromium> find() {
        return executable().map(HeadlessChromium::new);
    }

    /** The executable in $CHROMIUM, else /usr/bin/chromium, else /usr/bin/chromium-browser. */
    public static Optional<Path> executable() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env.trim()));
        }
        candidates.add(Path.of("/usr/bin/chromium"));
        candidates.add(Path.of("/usr/bin/chromium-browser"));
        return candidates.stream().filter(Files::isRegularFile).filter(Files::isExecutable).findFirst();
    }

    public Path binary() {
        return binary;
    }

    /** The DOM, serialized, once the page has had {@code budget} of virtual time to run its scripts. */
    public String dumpDom(String url, Duration budget) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("chromium-dom", ".html");
        try {
            run(List.of("--dump-dom", url), budget, stdout);
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stdout);
        }
    }

    /** A {@code width}x{@code height} screenshot of the page, after {@code budget} of virtual time. */
    public Path screenshot(String url, Path png, int width, int height, Duration budget)
            throws IOException, InterruptedException {
        Path target = png.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Path stdout = Files.createTempFile("chromium-shot", ".log");
        try {
            run(List.of("--screenshot=" + target, "--window-size=" + width + "," + height,
                    "--hide-scrollbars", "--force-device-scale-factor=1", url), budget, stdout);
        } finally {
            Files.deleteIfExists(stdout);
        }
        if (!Files.isRegularFile(target)) {
            throw new IOException("chromium wrote no screenshot to " + target);
        }
        return target;
    }

    private void run(List<String> args, Duration budget, Path stdout) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Path stderr = Files.createTempFile("chromium-err", ".log");
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + budget.toMillis()));
        command.addAll(args);
        try {
            // Output to files, not pipes: Chromium is chatty on stderr and must never block on a full pipe.
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            long limit = budget.plus(MARGIN).toMillis();
            if (!process.waitFor(limit, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IOException("chromium did not finish within " + limit + " ms: " + String.join(" ", command)
                        + tail(stderr));
            }
            if (process.exitValue() != 0) {
                throw new IOException("chromium exited with " + process.exitValue() + ": " + String.join(" ", command)
                        + tail(stderr));
            }
        } finally {
            deleteTree(profile);
            Files.deleteIfExists(stderr);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- chromium stderr (tail) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A file Chromium still holds open; the temp dir is cleaned by the OS in the end.
                }
            });
        } catch (IOException ignored) {
            // Best effort.
        }
    }
}
