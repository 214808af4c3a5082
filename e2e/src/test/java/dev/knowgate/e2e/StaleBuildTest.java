package dev.knowgate.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/lib/stale.sh, which bin/run, bin/bench-service, bin/knowgate-push and the tools scripts use to
 * build again when the sources moved on since the jar they would run.
 */
class StaleBuildTest {

    private static final Path STALE_SH = Path.of("..", "bin", "lib", "stale.sh").toAbsolutePath().normalize();
    private static final Instant BUILT = Instant.parse("2026-12-05T12:00:00Z");

    @TempDir
    Path tmp;

    private Path file(String path, Instant modified) throws Exception {
        Path f = tmp.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, path);
        Files.setLastModifiedTime(f, FileTime.from(modified));
        return f;
    }

    /** "stale" or "fresh", as the scripts see it. */
    private String check(String stamp, String... paths) throws Exception {
        String script = "source '" + STALE_SH + "'; if stale " + stamp + " " + String.join(" ", paths)
                + "; then echo stale; else echo fresh; fi";
        Process p = new ProcessBuilder(List.of("bash", "-c", script)).directory(tmp.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void aJarNewerThanEverySourceIsFresh() throws Exception {
        file("svc/src/main/java/A.java", BUILT.minusSeconds(60));
        file("svc/pom.xml", BUILT.minusSeconds(60));
        file("svc/target/app.jar", BUILT);
        assertThat(check("svc/target/app.jar", "svc")).isEqualTo("fresh");
    }

    @Test
    void aMissingJarOrANewerSourcePomOrResourceIsStale() throws Exception {
        assertThat(check("svc/target/none.jar", "svc")).isEqualTo("stale");
        file("svc/target/app.jar", BUILT);
        file("svc/src/main/java/A.java", BUILT.minusSeconds(60));
        file("lib/src/main/java/B.java", BUILT.plusSeconds(1));
        assertThat(check("svc/target/app.jar", "svc")).isEqualTo("fresh");
        assertThat(check("svc/target/app.jar", "svc", "lib")).isEqualTo("stale");
        file("lib/src/main/java/B.java", BUILT.minusSeconds(1));
        file("svc/src/main/resources/application.properties", BUILT.plusSeconds(5));
        assertThat(check("svc/target/app.jar", "svc", "lib")).isEqualTo("stale");
        file("svc/src/main/resources/application.properties", BUILT.minusSeconds(5));
        file("pom.xml", BUILT.plusSeconds(5));
        assertThat(check("svc/target/app.jar", "pom.xml", "svc")).isEqualTo("stale");
    }

    @Test
    void buildOutputAndOtherFilesDoNotCount() throws Exception {
        file("svc/target/app.jar", BUILT);
        file("svc/src/main/java/A.java", BUILT.minusSeconds(60));
        file("svc/target/classes/A.class", BUILT.plusSeconds(60));
        file("svc/target/generated-sources/G.java", BUILT.plusSeconds(60));
        file("svc/README.md", BUILT.plusSeconds(60));
        file("svc/var/run.log", BUILT.plusSeconds(60));
        assertThat(check("svc/target/app.jar", "svc")).isEqualTo("fresh");
    }
}
