package dev.knowgate.ingest.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF (a lone CR too);
 * a field in double quotes may hold commas, quotes (doubled) and line breaks. Deliberately
 * strict where RFC 4180 is: a quote inside an unquoted field, text after a closing quote and an
 * unterminated quote make the record invalid (reported, never guessed at). Line numbers are the
 * file's physical lines, 1-based, so a record with a quoted line break spans several.
 */
public final class CsvParser implements Closeable {

    /**
     * @param startLine line the record starts on
     * @param endLine   line it ends on
     * @param fields    its fields, unquoted; never empty (an empty line is one empty field)
     * @param error     why the record is malformed, or null
     */
    public record Row(long startLine, long endLine, List<String> fields, String error) {

        /** An empty line, or a row of nothing but empty fields (spreadsheets export those). */
        public boolean blank() {
            return error == null && fields.stream().allMatch(String::isEmpty);
        }
    }

    private final Reader in;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int end;
    private long line = 1;
    private boolean done;

    public CsvParser(Reader in) {
        this.in = in;
    }

    /** The next record, or null at the end of the input. */
    public Row next() throws IOException {
        if (done) {
            return null;
        }
        int c = read();
        if (c < 0) {
            done = true;
            return null;
        }
        long start = line;
        long quoteLine = 0;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        String error = null;
        boolean inQuotes = false;
        boolean quotedField = false;
        boolean afterClosingQuote = false;
        while (true) {
            if (c < 0) {
                done = true;
                if (inQuotes && error == null) {
                    error = "unterminated quoted field: the quote opened on line " + quoteLine + " is never closed";
                }
                fields.add(field.toString());
                return new Row(start, line, List.copyOf(fields), error);
            }
            if (inQuotes) {
                if (c == '"') {
                    if (peek() == '"') {
                        read();
                        field.append('"');
                    } else {
                        inQuotes = false;
                        afterClosingQuote = true;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && peek() != '\n')) {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                quotedField = false;
                afterClosingQuote = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && peek() == '\n') {
                    read();
                }
                long endLine = line++;
                fields.add(field.toString());
                return new Row(start, endLine, List.copyOf(fields), error);
            } else if (c == '"' && field.length() == 0 && !quotedField) {
                inQuotes = true;
                quotedField = true;
                quoteLine = line;
            } else {
                if (error == null) {
                    if (afterClosingQuote) {
                        error = "field " + (fields.size() + 1) + " has text after its closing quote";
                    } else if (c == '"') {
                        error = "field " + (fields.size() + 1) + " has a quote inside an unquoted value;"
                                + " quote the whole field and double the quotes in it";
                    }
                }
                field.append((char) c);
            }
            c = read();
        }
    }

    private int read() throws IOException {
        if (position == end && !fill()) {
            return -1;
        }
        return buffer[position++];
    }

    private int peek() throws IOException {
        if (position == end && !fill()) {
            return -1;
        }
        return buffer[position];
    }

    private boolean fill() throws IOException {
        try {
            int n = in.read(buffer, 0, buffer.length);
            position = 0;
            end = Math.max(n, 0);
            return n > 0;
        } catch (CharacterCodingException e) {
            throw new IOException("not valid UTF-8 near line " + line, e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
