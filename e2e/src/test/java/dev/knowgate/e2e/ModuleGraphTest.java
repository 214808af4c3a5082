package dev.knowgate.e2e;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module and package graph of docs/architecture.md, enforced on the compiled classes of every module (the
 * reactor builds them before this module): no cycle between packages, the plain-Java libraries free of Quarkus and
 * Kafka, and services that depend on libraries, never the reverse.
 */
class ModuleGraphTest {

    /** Plain-Java libraries: no Quarkus, no Kafka, no service. */
    static final List<String> PLAIN_LIBRARIES = List.of("libs/contracts", "libs/fact-world", "libs/model-runtime",
            "libs/resilience", "libs/training");
    /** Libraries that may use Kafka or Quarkus, but no service. */
    static final List<String> OTHER_LIBRARIES = List.of("libs/contracts-kafka", "libs/service-support");
    /** The services and the curators' CLI; tools/ (research and benchmarks) may use any of them, nothing uses it. */
    static final List<String> SERVICES = List.of("ingest/service", "ingest/cli", "categorize-stream", "trainer", "monitor");
    static final List<String> TOOLS = List.of("tools");
    static final String[] SERVICE_PACKAGES = {"dev.knowgate.ingest..", "dev.knowgate.categorize..",
            "dev.knowgate.trainer..", "dev.knowgate.monitor.."};

    static JavaClasses plain;
    static JavaClasses libraries;
    static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        plain = classes(PLAIN_LIBRARIES);
        libraries = classes(concat(PLAIN_LIBRARIES, OTHER_LIBRARIES));
        all = classes(concat(concat(concat(PLAIN_LIBRARIES, OTHER_LIBRARIES), SERVICES), TOOLS));
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        ArchRule rule = slices().matching("dev.knowgate.(**)").should().beFreeOfCycles();
        rule.check(all);
    }

    @Test
    void thePlainJavaLibrariesUseNeitherQuarkusNorKafka() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "org.apache.kafka..",
                "jakarta.enterprise..", "jakarta.ws.rs..").because("docs/architecture.md: plain-Java libraries")
                .check(plain);
    }

    @Test
    void librariesNeverDependOnAService() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(SERVICE_PACKAGES)
                .because("services depend on libraries, never the reverse").check(libraries);
    }

    @Test
    void nothingButToolsDependsOnTheTools() {
        noClasses().that().resideOutsideOfPackage("dev.knowgate.tools..").should().dependOnClassesThat()
                .resideInAPackage("dev.knowgate.tools..").because("research and benchmark tools live apart from what they measure")
                .check(all);
    }

    @Test
    void servicesDoNotDependOnEachOther() {
        for (String service : SERVICE_PACKAGES) {
            String[] others = java.util.Arrays.stream(SERVICE_PACKAGES).filter(p -> !p.equals(service))
                    .filter(p -> !(service.startsWith("dev.knowgate.ingest") && p.startsWith("dev.knowgate.ingest")))
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage(service).should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("services talk through Kafka topics and HTTP, not through each other's classes")
                    .check(all);
        }
    }

    private static JavaClasses classes(List<String> modules) {
        List<Path> dirs = modules.stream().map(m -> Path.of("..", m, "target", "classes")).toList();
        for (Path d : dirs) {
            assertThat(d).as("compiled classes of %s (the reactor builds it before e2e)", d).isDirectory();
        }
        assertThat(dirs).allMatch(Files::isDirectory);
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPaths(dirs);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
