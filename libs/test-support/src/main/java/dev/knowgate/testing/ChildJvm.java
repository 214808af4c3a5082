package dev.knowgate.testing;

import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * A test's program in a JVM of its own, which crash tests kill without a clean shutdown (SIGKILL). Its
 * stdout and stderr go to a log file that the test reads or prints on failure.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** Starts {@code main} with the test's class path and {@code -Xmx heap}; its output in {@code log}. */
    public static Process start(Path log, String heap, Class<?> main, String... args) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx" + heap, "-Dai.djl.offline=true",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Call first in such a program's main: log lines at INFO, Kafka's included, on stdout. Kafka logs
     * through slf4j to JBoss LogManager, where Quarkus' start-up configuration holds every line until
     * a Quarkus application configures logging, and these programs are none: without this their logs
     * hold none of Kafka's lines (a fenced producer, a rebalance).
     */
    public static void logToStdout() {
        ConsoleHandler console = new ConsoleHandler(ConsoleHandler.Target.SYSTEM_OUT,
                new PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c] (%t) %s%e%n"));
        console.setLevel(Level.INFO);
        LogContext.getSystemLogContext().getLogger("").addHandler(console);
    }
}
