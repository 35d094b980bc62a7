package io.eimf.flink.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.flink.format.BadInputException;
import io.eimf.flink.format.FileRange;
import io.eimf.flink.format.InteractionReader;
import io.eimf.flink.format.MovieLens100k;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    Path dir;

    private Path input(String udata) throws IOException {
        Path in = dir.resolve("ml");
        Files.createDirectories(in);
        Files.writeString(in.resolve("u.data"), udata);
        return in;
    }

    private static String lines(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(1 + i % 7).append('\t').append(1 + i % 5).append("\t4\t").append(1000 + i).append('\n');
        return b.toString();
    }

    private boolean onlyInputLeft() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList().equals(List.of("ml"));
        }
    }

    @Test
    void aMalformedLineStopsWithFileLineAndReasonAndWritesNothing() throws IOException {
        Path in = input(lines(16) + "3\t4\t5\n" + lines(3));
        PrepareOptions o = new PrepareOptions("ml-100k", in, dir.resolve("out")).withFilter("comirec", 1, 1);
        BadInputException e = assertThrows(BadInputException.class, () -> InMemoryPreparer.run(o, null));
        assertEquals("u.data:17: expected 4 tab-separated fields, found 3", e.getMessage());
        assertTrue(onlyInputLeft(), "no output folder, no temporary folder");
    }

    @Test
    void lineNumbersStayRightWhenTheFileIsReadInPieces() throws IOException {
        Path in = input(lines(40) + "x\t4\t5\tnot-a-time\n");
        InteractionReader r = new InteractionReader(new MovieLens100k(), null, false);
        List<FileRange> ranges = FileRange.split(List.of(in.resolve("u.data")), in, 64);
        assertTrue(ranges.size() > 5);
        BadInputException e = assertThrows(BadInputException.class, () -> {
            for (FileRange range : ranges) r.read(range, new InteractionReader.Stats(), x -> { });
        });
        assertEquals("u.data:41: timestamp is not an integer: 'not-a-time'", e.getMessage());
    }

    @Test
    void skipBadLinesCountsThemIntoTheManifest() throws IOException {
        Path in = input(lines(10) + "oops\n" + lines(5) + "1\t2\tfive\t9\n");
        PrepareOptions o = new PrepareOptions("ml-100k", in, dir.resolve("out")).withFilter("comirec", 1, 1)
                .withSkipBadLines(true);
        PrepareResult r = InMemoryPreparer.run(o, null);
        assertEquals(2, r.manifest().counts().badLinesSkipped());
        assertEquals(15, r.manifest().counts().rawInteractions());
        assertEquals(List.of("u.data:11: expected 4 tab-separated fields, found 1", "u.data:17: rating is not a number: 'five'"),
                r.badLineExamples());
    }

    @Test
    void everythingFilteredAwayIsAClearErrorWithoutOutput() throws IOException {
        Path in = input(lines(12));
        PrepareOptions o = new PrepareOptions("ml-100k", in, dir.resolve("out")).withFilter("comirec", 50, 5);
        EimfException e = assertThrows(EimfException.class, () -> InMemoryPreparer.run(o, null));
        assertTrue(e.getMessage().startsWith("nothing left to write: 12 interactions read"), e.getMessage());
        assertTrue(onlyInputLeft());
    }

    @Test
    void anExistingOutputIsKeptUnlessOverwriteIsGiven() throws IOException {
        Path in = input(lines(12));
        PrepareOptions o = new PrepareOptions("ml-100k", in, dir.resolve("out")).withFilter("comirec", 1, 1);
        InMemoryPreparer.run(o, null);
        String hash = Files.readString(dir.resolve("out/manifest.json"));
        Exception e = assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> InMemoryPreparer.run(o, null));
        assertTrue(e.getMessage().contains("--overwrite"));
        assertEquals(hash, Files.readString(dir.resolve("out/manifest.json")));
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertFalse(names.stream().anyMatch(n -> n.contains(".tmp-") || n.contains(".job-tmp-")));
    }
}
