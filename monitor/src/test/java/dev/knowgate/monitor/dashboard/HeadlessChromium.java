package dev.knowgate.monitor.dashboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium (Debian's chromium package) driven from its command line: the DOM after
 * the page's scripts ran, or a screenshot. Flags as this machine needs them: no sandbox as root,
 * and no background networking (the network is closed).
 */
public final class HeadlessChromium {

    private final Path binary;

    private HeadlessChromium(Path binary) {
        this.binary = binary;
    }

    /** $CHROMIUM, /usr/bin/chromium or /usr/bin/chromium-browser, if one is installed. */
    public static Optional<HeadlessChromium> find() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.add("/usr/bin/chromium");
        candidates.add("/usr/bin/chromium-browser");
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst().map(HeadlessChromium::new);
    }

    /** The serialized DOM once the page has had {@code budget} of (virtual) time to run its scripts. */
    public String dumpDom(String url, Duration budget) throws IOException, InterruptedException {
        Path out = Files.createTempFile("chromium-dom", ".html");
        run(List.of("--dump-dom", url), budget, out);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    public Path screenshot(String url, Path png, int width, int height, Duration budget)
            throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, "--hide-scrollbars", url),
                budget, Files.createTempFile("chromium-out", ".log"));
        return png;
    }

    private void run(List<String> args, Duration budget, Path stdout) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=" + budget.toMillis()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(Files.createTempFile("chromium-err", ".log").toFile()).start();
        if (!p.waitFor(budget.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish: " + String.join(" ", cmd));
        }
    }
}
