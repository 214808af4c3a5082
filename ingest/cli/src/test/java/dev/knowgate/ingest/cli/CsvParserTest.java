package dev.knowgate.ingest.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CsvParserTest {

    private static List<CsvParser.Row> parse(String csv) throws IOException {
        List<CsvParser.Row> rows = new ArrayList<>();
        try (CsvParser parser = new CsvParser(new StringReader(csv))) {
            CsvParser.Row row;
            while ((row = parser.next()) != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void plainFieldsAndLineEndings() throws IOException {
        List<CsvParser.Row> rows = parse("a,b,c\r\n1,2,3\n4,,6");
        assertThat(rows).extracting(CsvParser.Row::fields)
                .containsExactly(List.of("a", "b", "c"), List.of("1", "2", "3"), List.of("4", "", "6"));
        assertThat(rows).extracting(CsvParser.Row::startLine).containsExactly(1L, 2L, 3L);
        assertThat(rows).allMatch(r -> r.error() == null);
    }

    @Test
    void quotedFieldsHoldCommasDoubledQuotesAndLineBreaks() throws IOException {
        List<CsvParser.Row> rows = parse("q,a\n\"Who said \"\"hi, there\"\"?\",\"line one\nline two\"\n\"x\",y\n");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).fields()).containsExactly("Who said \"hi, there\"?", "line one\nline two");
        assertThat(rows.get(1).startLine()).isEqualTo(2);
        assertThat(rows.get(1).endLine()).isEqualTo(3);
        // the record after a quoted line break starts on the next physical line
        assertThat(rows.get(2).startLine()).isEqualTo(4);
        assertThat(rows.get(2).fields()).containsExactly("x", "y");
    }

    @Test
    void quotedCrLfInsideAFieldIsKeptAndCountedAsOneLine() throws IOException {
        List<CsvParser.Row> rows = parse("\"a\r\nb\",c\r\nd,e\r\n");
        assertThat(rows.get(0).fields()).containsExactly("a\r\nb", "c");
        assertThat(rows.get(1).startLine()).isEqualTo(3);
    }

    @Test
    void emptyQuotedFieldAndTrailingEmptyField() throws IOException {
        assertThat(parse("\"\",x,\n").get(0).fields()).containsExactly("", "x", "");
    }

    @Test
    void blankRowsAreRecognised() throws IOException {
        List<CsvParser.Row> rows = parse("a,b\n\n,\n1,2\n");
        assertThat(rows).extracting(CsvParser.Row::blank).containsExactly(false, true, true, false);
        assertThat(rows.get(3).startLine()).isEqualTo(4);
    }

    @Test
    void malformedRecordsAreReportedNotGuessed() throws IOException {
        List<CsvParser.Row> rows = parse("ab\"c,d\n\"x\" y,z\n\"open,never closed\nmore\n");
        assertThat(rows.get(0).error()).contains("field 1").contains("quote inside an unquoted value");
        assertThat(rows.get(1).error()).contains("field 1 has text after its closing quote");
        assertThat(rows.get(2).error()).contains("unterminated quoted field").contains("line 3");
        assertThat(rows.get(2).startLine()).isEqualTo(3);
    }
}
