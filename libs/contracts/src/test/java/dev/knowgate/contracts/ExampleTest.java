package dev.knowgate.contracts;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ExampleTest {

    @Test
    void stampsKeepEverythingElse() {
        Instant at = Instant.parse("2026-05-04T09:30:12.418Z");
        Example submitted = Example.of("Where was Lorin Vask born?", "Tessaly")
                .withAliases(List.of("Tessaly City"))
                .withFact("birthplace", "Lorin Vask")
                .withSource("curation-batch-2026-05-04")
                .withCurator("mira.okafor")
                .withSubmission("sub-2026-05-04-birthplaces")
                .withSubmittedAt(at);

        assertThat(submitted).isEqualTo(ContractSamples.example());
        assertThat(submitted.withPurpose(Purpose.PROBE).id()).isEqualTo(submitted.id());
    }

    @Test
    void aliasesAreAnImmutableCopy() {
        List<String> aliases = new ArrayList<>(List.of("Tessaly City"));
        Example example = Example.of("Where was Lorin Vask born?", "Tessaly").withAliases(aliases);
        aliases.add("Tes");

        assertThat(example.aliases()).containsExactly("Tessaly City");
        assertThatThrownBy(() -> example.aliases().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void validatesInJavaAsInJson() {
        assertThat(catchThrowableOfType(ContractViolation.class, () -> Example.of("Where was\nLorin Vask born?", "Tessaly")))
                .extracting(ContractViolation::code, ContractViolation::field, ContractViolation::getMessage)
                .containsExactly("invalid_value", "question",
                        "field 'question' contains a line break U+000A at index 9; it must be a single line");
        assertThat(catchThrowableOfType(ContractViolation.class, () -> Example.of("Where?", "\u00A0")))
                .extracting(ContractViolation::field, ContractViolation::getMessage)
                .containsExactly("answer", "field 'answer' must not be blank");
        assertThat(catchThrowableOfType(ContractViolation.class, () -> Example.of("Where?", "Tess\u0085aly")).field())
                .isEqualTo("answer");
        assertThat(catchThrowableOfType(ContractViolation.class, () -> Example.of(null, "Tessaly")).code())
                .isEqualTo("missing_field");
        assertThat(catchThrowableOfType(ContractViolation.class,
                () -> Example.of("Where?", "Tessaly").withCurator("mira\tokafor")).field()).isEqualTo("curator");
    }

    @Test
    void rejectsOtherSchemaVersions() {
        assertThat(catchThrowableOfType(ContractViolation.class,
                () -> new Example(2, null, "Q?", "A", null, null, null, null, null, null, null, null)))
                .extracting(ContractViolation::code, ContractViolation::getMessage)
                .containsExactly("unsupported_schema_version", "unsupported schemaVersion 2 (this build reads 1)");
    }

    @Test
    void emojiAndAccentsAreWelcome() {
        Example example = Example.of("Which river runs through Ærøvik? \uD83C\uDF0A", "Søndre Elv");

        assertThat(example.answer()).isEqualTo("Søndre Elv");
    }
}
