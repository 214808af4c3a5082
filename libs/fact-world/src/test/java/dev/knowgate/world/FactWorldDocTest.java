package dev.knowgate.world;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/fact-world.md's size table is what the presets generate for seed 42. */
class FactWorldDocTest {

    private static final Path DOC = Path.of("../../docs/fact-world.md");

    @ParameterizedTest
    @ValueSource(strings = {"micro", "standard"})
    void sizeTableRowMatchesTheGeneratedWorld(String preset) throws Exception {
        Matcher row = Pattern.compile("^\\| `" + preset + "`[^|]*\\|(.*)\\|$", Pattern.MULTILINE)
                .matcher(Files.readString(DOC));
        assertThat(row.find()).as("docs/fact-world.md has a size row for %s", preset).isTrue();
        List<String> cells = List.of(row.group(1).split("\\|")).stream().map(String::trim).toList();

        WorldConfig config = WorldConfig.preset(preset, WorldCommand.DEFAULT_SEED);
        FactWorld world = FactWorld.generate(config);
        long words = world.pretrainingTexts().stream().mapToLong(t -> t.split(" ").length).sum();
        List<String> expected = List.of(
                n(config.entitiesPerKind()), n(config.factsPerRelation()), n(config.devPerRelation()),
                n(config.probesPerRelation()), n(world.facts().size()), n(world.finetunePool().size()),
                n(world.dev().size()), n(world.probes().size()), n(world.entities().size()),
                n(world.vocabulary().size() + WorldTokenizer.SPECIAL_TOKENS.size()),
                n(world.pretrainingCorpus().size()) + " / " + n(words));
        assertThat(cells).as("docs/fact-world.md, preset %s, seed %d", preset, WorldCommand.DEFAULT_SEED)
                .isEqualTo(expected);
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
