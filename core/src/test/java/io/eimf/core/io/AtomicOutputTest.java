package io.eimf.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir Path tmp;

    @Test
    void failedWriteLeavesNothingAndKeepsOldContent() throws IOException {
        Path target = tmp.resolve("out");
        AtomicOutput.directory(target, false, d -> Files.writeString(d.resolve("a"), "old"));
        assertThrows(IllegalStateException.class, () -> AtomicOutput.directory(target, true, d -> {
            Files.writeString(d.resolve("a"), "half");
            throw new IllegalStateException("boom");
        }));
        assertEquals("old", Files.readString(target.resolve("a")));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void overwriteReplacesWholeDirectory() throws IOException {
        Path target = tmp.resolve("out");
        AtomicOutput.directory(target, false, d -> Files.writeString(d.resolve("a"), "1"));
        AtomicOutput.directory(target, true, d -> Files.writeString(d.resolve("b"), "2"));
        assertEquals(List.of(target.resolve("b")), Files.list(target).toList());
    }

    @Test
    void tsvEscapingRoundTrips() {
        String s = "a\tb\\c\nd\re";
        assertEquals(s, Tsv.unescape(Tsv.escape(s)));
        assertEquals(-1, Tsv.escape(s).indexOf('\t'));
    }
}
