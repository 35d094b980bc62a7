package io.eimf.flink.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineReaderTest {
    @TempDir
    Path dir;

    private static List<String> readAll(List<FileRange> ranges, List<Long> offsets, List<Long> numbers)
            throws IOException {
        List<String> out = new ArrayList<>();
        for (FileRange r : ranges) {
            try (LineReader lr = new LineReader(r, StandardCharsets.UTF_8, false)) {
                while (lr.next()) {
                    out.add(lr.line());
                    offsets.add(lr.offset());
                    numbers.add(lr.lineNumber());
                }
            }
        }
        return out;
    }

    @Test
    void rangesCutAnywhereReadEveryLineOnceWithTrueOffsetsAndNumbers() throws IOException {
        String text = "a\tb\r\n\nlonger line number three\nx\n\ny y y y y y y y y y y y\nlast-without-newline";
        Path f = dir.resolve("f.txt");
        Files.writeString(f, text);
        List<Long> wholeOffsets = new ArrayList<>();
        List<Long> wholeNumbers = new ArrayList<>();
        List<String> whole = readAll(FileRange.split(List.of(f), dir, Long.MAX_VALUE), wholeOffsets, wholeNumbers);
        assertEquals(List.of("a\tb", "", "longer line number three", "x", "", "y y y y y y y y y y y y",
                "last-without-newline"), whole);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), wholeNumbers);
        for (long chunk = 1; chunk <= text.length() + 1; chunk++) {
            List<Long> offsets = new ArrayList<>();
            List<Long> numbers = new ArrayList<>();
            List<String> lines = readAll(FileRange.split(List.of(f), dir, chunk), offsets, numbers);
            assertEquals(whole, lines, "chunk " + chunk);
            assertEquals(wholeOffsets, offsets, "chunk " + chunk);
            assertEquals(wholeNumbers, numbers, "chunk " + chunk);
        }
    }

    @Test
    void gzipFilesAreOneRangeAndDecompressed() throws IOException {
        Path f = dir.resolve("r.json.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
        }
        List<FileRange> ranges = FileRange.split(List.of(f), dir, 1);
        assertEquals(1, ranges.size());
        assertEquals(List.of("one", "two"), readAll(ranges, new ArrayList<>(), new ArrayList<>()));
    }

    @Test
    void metadataFallsBackToLatin1PerLine() throws IOException {
        Path f = dir.resolve("m.dat");
        byte[] utf8 = "Amélie\n".getBytes(StandardCharsets.UTF_8);
        byte[] latin = "Café\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[utf8.length + latin.length];
        System.arraycopy(utf8, 0, all, 0, utf8.length);
        System.arraycopy(latin, 0, all, utf8.length, latin.length);
        Files.write(f, all);
        List<String> lines = new ArrayList<>();
        try (LineReader lr = new LineReader(FileRange.split(List.of(f), dir, Long.MAX_VALUE).get(0),
                StandardCharsets.UTF_8, true)) {
            while (lr.next()) lines.add(lr.line());
        }
        assertEquals(List.of("Amélie", "Café"), lines);
    }
}
