package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.Eimf;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.inference.AnnIndex;
import io.eimf.model.inference.ClusteredCatalogue;
import io.eimf.model.nn.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eimf index build} and serving: exact without an index, the index once model.json lists it, refused if damaged. */
class AnnServeITCase {
    private static final int ITEMS = 2000;

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {}

    private static Run eimf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void servesExactlyWithoutAnIndexAndThroughItOnceBuiltWithTheSameAnswersWhenItsBeamCoversTheCatalogue()
            throws Exception {
        Path dir = tmp.resolve("model");
        ClusteredCatalogue cat = BenchServeCommand.exportRandomModel(dir,
                new IbimConfig("comirec-sa", 16, 4, 20, ITEMS, 0), 5, true);
        FolderSource source = new FolderSource(dir);
        String before = source.currentVersion();
        ServingModel exact = source.load();
        assertEquals("exact", exact.retrieval(), "no index: the exact path serves");

        Run r = eimf("index", "build", "--model", dir.toString(), "--ef-search", Integer.toString(ITEMS));
        assertEquals(Eimf.OK, r.code(), r.err());
        assertTrue(r.out().contains(AnnIndex.FILE) && r.out().contains("2000 items"), r.out());
        assertTrue(Files.readString(dir.resolve("model.json")).contains("\"" + AnnIndex.FILE + "\""));
        assertNotEquals(before, source.currentVersion(), "a serving poller notices the new index");

        ServingModel ann = source.load();
        assertTrue(ann.retrieval().startsWith("ann"), ann.retrieval());
        assertEquals("exact", new FolderSource(dir, RecommenderModel.Retrieval.EXACT).load().retrieval());
        SplittableRandom rnd = new SplittableRandom(3);
        for (int u = 0; u < 20; u++) {
            int[] h = cat.history(rnd, 1 + rnd.nextInt(20));
            ServingModel.Ranked e = exact.recommend(h, 50);
            ServingModel.Ranked a = ann.recommend(h, 50);
            assertArrayEquals(e.items(), a.items(), "user " + u);
            assertArrayEquals(e.scores(), a.scores(), 0f, "user " + u);
            assertArrayEquals(e.interests(), a.interests(), "user " + u);
        }
    }

    @Test
    void aDamagedIndexIsRefusedByNameAndBadOptionsAreUsageErrors() throws Exception {
        Path dir = tmp.resolve("model");
        BenchServeCommand.exportRandomModel(dir, new IbimConfig("comirec-sa", 16, 4, 20, 500, 0), 6, true);
        assertEquals(Eimf.OK, eimf("index", "build", "--model", dir.toString()).code());
        Path f = dir.resolve(AnnIndex.FILE);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 5] ^= 0x40;
        Files.write(f, b);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> new FolderSource(dir).load());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        // --retrieval exact does not read the index, but the files map still covers it: the folder is damaged
        assertThrows(ModelFormatException.class,
                () -> new FolderSource(dir, RecommenderModel.Retrieval.EXACT).load());
        // rebuilding replaces it and the folder loads again
        assertEquals(Eimf.OK, eimf("index", "build", "--model", dir.toString()).code());
        assertTrue(new FolderSource(dir).load().retrieval().startsWith("ann"));

        assertEquals(Eimf.USAGE, eimf("serve", "--model", dir.toString(), "--retrieval", "fuzzy").code());
        assertEquals(Eimf.USAGE, eimf("index", "build", "--model", dir.toString(), "--m", "1").code());
        Run missing = eimf("index", "build", "--model", tmp.resolve("nowhere").toString());
        assertEquals(Eimf.FAILURE, missing.code());
        assertTrue(missing.err().contains("nowhere"), missing.err());
    }
}
