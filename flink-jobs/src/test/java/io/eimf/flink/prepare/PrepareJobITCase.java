package io.eimf.flink.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.synth.SyntheticData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link PrepareJob#main} on an embedded mini-cluster over generated data (about 2.5 MB of ratings.csv, so the
 * job reads it in several byte ranges) and checks it writes exactly the bytes the in-memory engine writes.
 */
class PrepareJobITCase {
    @TempDir
    static Path dir;
    static Path source;
    static PreparedDataset reference;

    @BeforeAll
    static void generate() throws IOException {
        SyntheticData.Config c = SyntheticData.Config.defaults().withUsers(3000).withCatalogue(12, 80).withNoise(0.2);
        source = dir.resolve("source");
        SyntheticData.writeMovieLensCsv(c, source, false);
        assertTrue(Files.size(source.resolve("ratings.csv")) > 2 * (1 << 20), "big enough for several ranges");
        reference = InMemoryPreparer.prepare(new PrepareOptions("ml-latest", source, dir.resolve("memory")));
    }

    private static void assertSameDataset(PreparedDataset expected, Path actualDir) throws IOException {
        PreparedDataset actual = PreparedDataset.read(actualDir);
        for (String f : List.of(PreparedDataset.ITEMS, PreparedDataset.SEQUENCES)) {
            assertArrayEquals(Files.readAllBytes(expected.dir().resolve(f)), Files.readAllBytes(actualDir.resolve(f)), f);
        }
        DatasetManifest e = expected.manifest();
        DatasetManifest a = actual.manifest();
        assertEquals(e.contentHash(), a.contentHash());
        assertEquals(e.counts(), a.counts());
        assertEquals(e.filter(), a.filter());
        assertEquals(e.split(), a.split());
        assertEquals(e.source(), a.source());
    }

    @Test
    void mainWritesTheSameBytesAsTheInMemoryEngineAtParallelismOneAndTwo() throws Exception {
        for (int p : new int[] {1, 2}) {
            Path out = dir.resolve("flink-p" + p);
            PrepareJob.main(new String[] {"--format", "ml-latest", "--input", source.toString(), "--out", out.toString(),
                "--parallelism", String.valueOf(p)});
            assertSameDataset(reference, out);
            try (var s = Files.list(out)) {
                assertEquals(List.of("items.jsonl", "manifest.json", "sequences.tsv"),
                        s.map(x -> x.getFileName().toString()).sorted().toList(), "no part files left behind");
            }
        }
        assertTrue(reference.manifest().counts().users() > 2900);
    }

    @Test
    void kCoreLeaveOneOutAndSkippedLinesMatchTheInMemoryEngine() throws Exception {
        Path dirty = dir.resolve("dirty");
        Files.createDirectories(dirty);
        List<String> lines = new ArrayList<>(Files.readAllLines(source.resolve("ratings.csv")));
        lines.add(1000, "12,oops");
        lines.add(50000, "7,3,4.0,yesterday");
        Files.write(dirty.resolve("ratings.csv"), lines);
        Files.copy(source.resolve("movies.csv"), dirty.resolve("movies.csv"));
        PrepareOptions o = new PrepareOptions("ml-latest", dirty, dir.resolve("dirty-memory"))
                .withFilter(PrepareOptions.FILTER_KCORE, 10, 8).withSplit(SplitSpec.loo()).withSkipBadLines(true);
        PreparedDataset expected = InMemoryPreparer.prepare(o);
        assertEquals(2, expected.manifest().counts().badLinesSkipped());
        PrepareResult r = PrepareJob.run(o.withOut(dir.resolve("dirty-flink")).withParallelism(2), System.err);
        assertSameDataset(expected, r.dir());
        assertEquals(List.of("ratings.csv:1001: expected 4 comma-separated fields, found 2",
                "ratings.csv:50001: timestamp is not an integer: 'yesterday'"), r.badLineExamples());
    }

    @Test
    void mixedRawIdsShuffledLinesAndTiesMatchTheInMemoryEngine() throws Exception {
        // Ids that pack into a long and ids that do not (too long, not alphanumeric, non-ASCII); lines shuffled so a
        // user's interactions are spread over every byte range; coarse timestamps so ties are broken by input order
        // across ranges.
        Path mixed = dir.resolve("mixed");
        Files.createDirectories(mixed);
        List<String> lines = new ArrayList<>(Files.readAllLines(source.resolve("ratings.csv")));
        lines.remove(0);
        java.util.Collections.shuffle(lines, new java.util.Random(7));
        List<String> out = new ArrayList<>(List.of("user,item,time"));
        for (String l : lines) {
            String[] f = l.split(",");
            int m = Integer.parseInt(f[1]);
            String item = switch (m % 4) {
                case 0 -> "m" + m;
                case 1 -> "item-" + m + "-\u00e9";
                case 2 -> "000" + m;
                default -> "ASIN" + m + "XYZW12";
            };
            int u = Integer.parseInt(f[0]);
            String user = u % 2 == 0 ? "user " + u : f[0];
            out.add(user + "," + item + "," + Long.parseLong(f[3]) / 100_000);
        }
        Files.write(mixed.resolve("ratings.csv"), out);
        PrepareOptions o = new PrepareOptions("csv", mixed.resolve("ratings.csv"), dir.resolve("mixed-memory"))
                .withCsv("user=user,item=item,time=time", ",", true);
        PreparedDataset expected = InMemoryPreparer.prepare(o);
        assertTrue(expected.manifest().counts().items() > 100);
        for (int p : new int[] {1, 2}) {
            PrepareResult r = PrepareJob.run(o.withOut(dir.resolve("mixed-flink-p" + p)).withParallelism(p), System.err);
            assertSameDataset(expected, r.dir());
        }
    }

    @Test
    void aBadLineFailsTheJobWithFileAndLineAndLeavesNoOutput() throws IOException {
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        List<String> lines = new ArrayList<>(Files.readAllLines(source.resolve("ratings.csv")));
        lines.add(70000, "5,6,4.0");
        Files.write(bad.resolve("ratings.csv"), lines);
        Path out = dir.resolve("bad-out");
        Exception e = assertThrows(Exception.class, () -> PrepareJob.main(new String[] {"--format", "ml-latest",
            "--input", bad.toString(), "--out", out.toString(), "--parallelism", "2"}));
        assertEquals("ratings.csv:70001: expected 4 comma-separated fields, found 3", e.getMessage());
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".bad-out")), "temporary folder removed");
        }
    }
}
