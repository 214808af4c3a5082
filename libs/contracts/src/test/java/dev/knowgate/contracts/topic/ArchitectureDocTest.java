package dev.knowgate.contracts.topic;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/architecture.md must describe the topics the code creates. */
class ArchitectureDocTest {

    private static final Path DOC = Path.of("../../docs/architecture.md");

    @Test
    void topicTableMatchesTheCatalogue() throws Exception {
        String doc = Files.readString(DOC);
        for (TopicSpec spec : Topics.ALL) {
            Pattern row = Pattern.compile("\\| `" + Pattern.quote(spec.name()) + "` \\| " + spec.partitions()
                    + " \\| " + spec.cleanupPolicy() + " \\|");
            assertThat(row.matcher(doc).find())
                    .as("docs/architecture.md has a row for %s with %d partitions, %s", spec.name(),
                            spec.partitions(), spec.cleanupPolicy())
                    .isTrue();
        }
        long rows = doc.lines().filter(l -> l.matches("\\| `[a-z.]+` \\| \\d+ \\| (delete|compact) \\|.*")).count();
        assertThat(rows).as("no topic in the doc that the code does not create").isEqualTo(Topics.ALL.size());
    }
}
