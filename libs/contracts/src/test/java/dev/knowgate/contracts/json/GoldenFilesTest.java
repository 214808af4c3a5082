package dev.knowgate.contracts.json;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The wire format is pinned by files: any accidental change to names, order or encoding breaks here. */
class GoldenFilesTest {

    /** Surefire runs in the module folder; the docs live at the repository root. */
    private static final Path CONTRACTS_DOC = Path.of("../../docs/contracts.md");

    static List<GoldenFiles> goldenFiles() {
        return GoldenFiles.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void parsesToTheSampleValue(GoldenFiles golden) {
        assertThat(ContractJson.read(golden.text(), golden.type())).isEqualTo(golden.value());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void reserialisesToTheFileByteForByte(GoldenFiles golden) {
        Object parsed = ContractJson.read(golden.text(), golden.type());
        assertThat(ContractJson.writePrettyString(parsed) + "\n").isEqualTo(golden.text());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void compactFormIsTheSameDocument(GoldenFiles golden) {
        String compact = ContractJson.writeString(golden.value());
        assertThat(compact).doesNotContain("\n  ");
        assertThat(ContractJson.read(compact, golden.type())).isEqualTo(golden.value());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFiles")
    void isQuotedInTheContractsDoc(GoldenFiles golden) throws IOException {
        assumeTrue(Files.exists(CONTRACTS_DOC), "docs/contracts.md is not part of this checkout");
        assertThat(Files.readString(CONTRACTS_DOC)).contains("```json\n" + golden.text() + "```");
    }
}
