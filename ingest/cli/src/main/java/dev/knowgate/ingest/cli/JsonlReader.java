package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.RejectionReason;
import dev.knowgate.contracts.json.ContractJson;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * JSONL: one Example per line, read exactly as the service reads a line of its bulk endpoint
 * ({@code ContractJson.read(bytes, Example.class)}, so bad UTF-8 is invalid_json there and here).
 * Lines end with LF (a CR before it is dropped); blank lines are skipped but counted, so line
 * numbers are the file's. A UTF-8 byte order mark before the first line is ignored.
 */
final class JsonlReader implements ExampleReader {

    private static final int MAX_LINE = ContractJson.MAX_DOCUMENT_LENGTH;

    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkEnd;
    private byte[] buffer = new byte[8192];
    private long lineNumber;
    private boolean eof;

    private JsonlReader(InputStream in) {
        this.in = in;
    }

    static JsonlReader open(Path file) throws PushException {
        try {
            return new JsonlReader(new FileInputStream(file.toFile()));
        } catch (IOException e) {
            throw new PushException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputRecord next() throws IOException {
        while (!eof) {
            int length = readLine();
            if (length < 0) {
                return null;
            }
            long line = lineNumber;
            if (length > MAX_LINE) {
                return InputRecord.invalid(line, line, new Rejection(line, null, RejectionReason.TOO_LONG.code(),
                        "the line is longer than " + MAX_LINE + " bytes, the limit of one document", false));
            }
            int start = line == 1 && length >= 3 && (buffer[0] & 0xFF) == 0xEF && (buffer[1] & 0xFF) == 0xBB
                    && (buffer[2] & 0xFF) == 0xBF ? 3 : 0;
            if (blank(buffer, start, length)) {
                continue;
            }
            byte[] json = Arrays.copyOfRange(buffer, start, length);
            try {
                return InputRecord.valid(line, line, ContractJson.read(json, Example.class));
            } catch (ContractViolation violation) {
                return InputRecord.invalid(line, line, Rejection.of(line, violation));
            }
        }
        return null;
    }

    /**
     * Reads the next line into {@link #buffer}: its length without LF and a CR before it, -1 at the
     * end of the file. A line longer than {@link #MAX_LINE} is consumed to its end; only its start is kept.
     */
    private int readLine() throws IOException {
        int length = 0;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = in.read(chunk);
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    chunkEnd = 0;
                    eof = true;
                    if (!any) {
                        return -1;
                    }
                    break;
                }
            }
            any = true;
            int newline = -1;
            for (int i = chunkPos; i < chunkEnd; i++) {
                if (chunk[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int stop = newline < 0 ? chunkEnd : newline;
            int n = stop - chunkPos;
            int keep = Math.max(0, Math.min(n, MAX_LINE + 1 - length));
            if (keep > 0) {
                if (length + keep > buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(Math.max(buffer.length * 2, length + keep), MAX_LINE + 1));
                }
                System.arraycopy(chunk, chunkPos, buffer, length, keep);
            }
            length += n;
            if (length > MAX_LINE + 1) {
                length = MAX_LINE + 2; // stays "too long" without overflowing on huge lines
            }
            chunkPos = newline < 0 ? chunkEnd : newline + 1;
            if (newline >= 0) {
                break;
            }
        }
        lineNumber++;
        if (length > 0 && length <= MAX_LINE + 1 && buffer[length - 1] == '\r') {
            length--;
        }
        return length;
    }

    private static boolean blank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
