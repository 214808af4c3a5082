package dev.knowgate.ingest.submit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Splits a newline-delimited body into lines as it arrives, holding one line at a time; never the
 * body. Enforces the line length and total size limits while reading.
 */
final class NdjsonLines {

    /** One line: its 1-based number and bytes (without the line break), or a reason it was refused. */
    record Line(int number, byte[] bytes, boolean tooLong) {
        boolean blank() {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }

    /** The body grew past the byte limit. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final long maxBodyBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;
    private long total;
    private int number;
    private boolean eof;

    NdjsonLines(InputStream in, int maxLineBytes, long maxBodyBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The next line, or null at the end of the body. */
    Line next() {
        if (eof && pos >= limit) {
            return null;
        }
        byte[] line = new byte[256];
        int length = 0;
        boolean tooLong = false;
        while (true) {
            if (pos >= limit && !fill()) {
                if (length == 0 && !tooLong) {
                    return null;
                }
                break;
            }
            byte b = buffer[pos++];
            if (b == '\n') {
                break;
            }
            if (length >= maxLineBytes) {
                tooLong = true;
                continue;
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
            }
            line[length++] = b;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        number++;
        return new Line(number, Arrays.copyOf(line, length), tooLong);
    }

    private boolean fill() {
        if (eof) {
            return false;
        }
        try {
            int n = in.read(buffer);
            if (n < 0) {
                eof = true;
                return false;
            }
            total += n;
            if (total > maxBodyBytes) {
                throw new TooLargeException("the body is larger than " + maxBodyBytes + " bytes");
            }
            pos = 0;
            limit = n;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
