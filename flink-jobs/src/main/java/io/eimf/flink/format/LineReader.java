package io.eimf.flink.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads the lines of one {@link FileRange}: each with its byte offset and, on demand, its line number. Handles
 * {@code \n} and {@code \r\n}, gzip, and (for metadata written in mixed encodings) a per-line fallback from UTF-8 to
 * ISO-8859-1.
 */
public final class LineReader implements Closeable {
    private final FileRange range;
    private final Charset charset;
    private final boolean latin1Fallback;
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int bufPos;
    private int bufLen;
    private byte[] lineBytes = new byte[256];
    private int lineLen;
    private long pos;
    private long lineOffset;
    private long lineNumber;
    private final boolean numbersKnown;
    private CharsetDecoder strictUtf8;
    private String line;

    /**
     * @param latin1Fallback decode lines that are not valid UTF-8 as ISO-8859-1 instead of replacing bad bytes
     */
    public LineReader(FileRange range, Charset charset, boolean latin1Fallback) throws IOException {
        this.range = range;
        this.charset = charset;
        this.latin1Fallback = latin1Fallback && charset.equals(StandardCharsets.UTF_8);
        Path p = Path.of(range.path);
        if (range.gzip()) {
            this.in = new GZIPInputStream(java.nio.file.Files.newInputStream(p), 1 << 16);
            this.pos = 0;
        } else {
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            long startAt = Math.max(0, range.start - 1);
            ch.position(startAt);
            this.in = Channels.newInputStream(ch);
            this.pos = startAt;
            if (range.start > 0) {
                // Skip the tail of the line that began in the previous range (it belongs there).
                int b;
                while ((b = read()) >= 0 && b != '\n') { /* skip */ }
            }
        }
        this.numbersKnown = range.start == 0;
    }

    private int read() throws IOException {
        if (bufPos == bufLen) {
            bufLen = in.read(buf, 0, buf.length);
            bufPos = 0;
            if (bufLen <= 0) {
                bufLen = 0;
                return -1;
            }
        }
        pos++;
        return buf[bufPos++] & 0xff;
    }

    /** Advances to the next line of the range; false at its end. */
    public boolean next() throws IOException {
        if (pos >= range.end) return false;
        lineOffset = pos;
        lineLen = 0;
        int b = read();
        if (b < 0) return false;
        while (b >= 0 && b != '\n') {
            if (lineLen == lineBytes.length) lineBytes = Arrays.copyOf(lineBytes, lineLen * 2);
            lineBytes[lineLen++] = (byte) b;
            b = read();
        }
        int len = lineLen;
        if (len > 0 && lineBytes[len - 1] == '\r') len--;
        line = decode(len);
        lineNumber++;
        return true;
    }

    private String decode(int len) {
        if (!latin1Fallback) return new String(lineBytes, 0, len, charset);
        boolean ascii = true;
        for (int i = 0; i < len && ascii; i++) ascii = lineBytes[i] >= 0;
        if (ascii) return new String(lineBytes, 0, len, StandardCharsets.US_ASCII);
        if (strictUtf8 == null) {
            strictUtf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            CharBuffer cb = strictUtf8.reset().decode(ByteBuffer.wrap(lineBytes, 0, len));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return new String(lineBytes, 0, len, StandardCharsets.ISO_8859_1);
        }
    }

    /** The current line without its line break. */
    public String line() {
        return line;
    }

    /** Byte offset of the current line in the (uncompressed) file. */
    public long offset() {
        return lineOffset;
    }

    /** {@code file:line} of the current line (counts the lines before the range only when asked: errors are rare). */
    public String location() {
        return range.displayName + ":" + lineNumber();
    }

    /** 1-based line number of the current line. */
    public long lineNumber() {
        if (numbersKnown) return lineNumber;
        try {
            return linesBefore(range, range.start) + lineNumber;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long linesBefore(FileRange r, long limit) throws IOException {
        long count = 0;
        try (InputStream s = java.nio.file.Files.newInputStream(Path.of(r.path))) {
            byte[] b = new byte[1 << 16];
            long seen = 0;
            // Lines wholly before the range's first full line: every \n at an offset below start-1 plus the one that
            // ends the partial line at start-1 (that line starts in the previous range).
            long stopAt = limit;
            int n;
            while (seen < stopAt && (n = s.read(b, 0, (int) Math.min(b.length, stopAt - seen))) > 0) {
                for (int i = 0; i < n; i++) if (b[i] == '\n') count++;
                seen += n;
            }
        }
        // If start-1 is not a newline, the partial line's break lies at or after start; it was skipped by this reader.
        try (FileChannel ch = FileChannel.open(Path.of(r.path), StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            if (limit > 0) {
                ch.read(one, limit - 1);
                if (one.get(0) != '\n') count++;
            }
        }
        return count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
