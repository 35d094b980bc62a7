package io.eimf.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.dataset.Item;
import io.eimf.core.io.ContentHash;
import io.eimf.model.export.ItemVocabulary;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.ModelFormatException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The HNSW index proposes candidates that exact re-ranking turns into the exact answer; its file is verified. */
class AnnIndexTest {
    @TempDir
    Path tmp;

    private static IbimModel model(int numItems, long seed) {
        IbimModel m = new IbimModel(new IbimConfig("comirec-sa", 16, 4, 20, numItems, 0), DataType.FLOAT, seed);
        return m;
    }

    private static ItemVocabulary vocab(int n) {
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= n; i++) items.add(new Item(i, "r" + i, "t" + i, List.of(), null));
        return ItemVocabulary.of(items);
    }

    private Path export(IbimModel model, String name) throws Exception {
        return ModelDirectory.write(tmp.resolve(name), model, vocab(model.config().numItems()), Map.of(), Map.of(), false);
    }

    private static AnnIndex build(Recommender r, AnnIndex.Params p) throws Exception {
        return AnnIndex.build(r.itemTable(), r.descriptor().config().dim(), p, "x", null);
    }

    @Test
    void withCandidatesCoveringTheCatalogueAnnIsTheExactAnswerBitForBit() throws Exception {
        int n = 1500;
        IbimModel m = model(n, 3);
        ClusteredCatalogue cat = ClusteredCatalogue.fill(m, 12, 5);
        Recommender exact = new Recommender(m, vocab(n), new ModelDirectory.Descriptor("eimf-ibim", 2, m.config(),
                Map.of(), Map.of(), null));
        Recommender ann = exact.withIndex(build(exact, new AnnIndex.Params(16, 100, n, 1)));
        SplittableRandom rnd = new SplittableRandom(9);
        boolean merged = false;
        for (int u = 0; u < 20; u++) {
            int[] h = cat.history(rnd, 1 + rnd.nextInt(25));
            Recommender.Result a = ann.recommendDenseAnn(h, 50);
            Recommender.Result e = exact.recommendDenseExact(h, 50);
            assertEquals(50, a.items().size());
            for (int i = 0; i < 50; i++) {
                int uu = u, ii = i;
                assertEquals(e.items().get(i).id(), a.items().get(i).id(), () -> "user " + uu + " rank " + ii + " exact " + e.items().subList(Math.max(0,ii-1), Math.min(50, ii+2)) + " ann " + a.items().subList(Math.max(0,ii-1), Math.min(50, ii+2)));
                assertEquals(Float.floatToIntBits(e.items().get(i).score()), Float.floatToIntBits(a.items().get(i).score()));
                assertEquals(e.items().get(i).interest(), a.items().get(i).interest());
            }
            merged |= a.items().stream().map(Recommender.Item::interest).distinct().count() > 1;
        }
        assertTrue(merged, "every list came from one interest: the merge was not exercised");
    }

    @Test
    void recallAgainstExactOnAClusteredCatalogueMeetsTheBar() throws Exception {
        int n = 5000;
        IbimModel m = model(n, 4);
        ClusteredCatalogue cat = ClusteredCatalogue.fill(m, ClusteredCatalogue.defaultClusters(n), 6);
        Recommender exact = new Recommender(m, vocab(n), new ModelDirectory.Descriptor("eimf-ibim", 2, m.config(),
                Map.of(), Map.of(), null));
        AnnIndex index = build(exact, AnnIndex.Params.defaults());
        assertEquals(0, index.unreachable(), "items no search can reach");
        Recommender ann = exact.withIndex(index);
        int users = 60;
        double recall = recall(exact, ann, cat, new SplittableRandom(13), users);
        assertTrue(recall >= 0.98, "recall@50 " + recall);
        // a narrower beam (one list's worth of candidates per interest, no fallback to exact) loses recall: the
        // answers come from the graph, not from the exact path
        double narrow = recall(exact, exact.withIndex(index.withEfSearch(50)), cat, new SplittableRandom(13), users);
        System.out.println("recall@50 at 160 candidates per interest " + recall + ", at 50 " + narrow);
        assertTrue(narrow < recall && narrow < 1.0, "50 candidates per interest reached recall " + narrow);
    }

    private static double recall(Recommender exact, Recommender ann, ClusteredCatalogue cat, SplittableRandom rnd,
                                 int users) {
        double hits = 0;
        for (int u = 0; u < users; u++) {
            int[] h = cat.history(rnd, 20);
            Set<Integer> truth = new HashSet<>();
            exact.recommendDenseExact(h, 50).items().forEach(i -> truth.add(i.id()));
            hits += ann.recommendDenseAnn(h, 50).items().stream().filter(i -> truth.contains(i.id())).count();
        }
        return hits / (users * 50.0);
    }

    @Test
    void theIndexIsListedInModelJsonVerifiedLikeTheWeightsAndTamperingIsRefusedByName() throws Exception {
        int n = 800;
        IbimModel m = model(n, 5);
        ClusteredCatalogue.fill(m, 8, 7);
        Path dir = export(m, "model");
        Recommender plain = Recommender.load(dir);
        assertNull(plain.index(), "no index built yet: exact retrieval");
        assertEquals("exact", plain.retrieval());
        String weights = ContentHash.ofFile(dir.resolve(ModelDirectory.WEIGHTS));
        AnnIndex built = AnnIndex.build(plain.itemTable(), 16, AnnIndex.Params.defaults(), weights, null);
        ModelDirectory.writeIndex(dir, built);
        Path file = dir.resolve(AnnIndex.FILE);
        assertTrue(Files.readString(dir.resolve("model.json")).contains(AnnIndex.FILE));
        byte[] good = Files.readAllBytes(file);
        // same weights and parameters, same bytes (single-threaded build with a fixed seed)
        ModelDirectory.writeIndex(dir, AnnIndex.build(plain.itemTable(), 16, AnnIndex.Params.defaults(), weights, null));
        assertArrayEquals(good, Files.readAllBytes(file));
        Recommender withIndex = Recommender.load(dir);
        assertNotNull(withIndex.index());
        int[] h = {1, 5, 9, 200, 300};
        assertEquals(ids(withIndex.recommendDenseExact(h, 20)), ids(withIndex.recommendDense(h, 20)));
        assertNull(Recommender.load(dir, false).index(), "--retrieval exact reads no index");

        // one flipped byte in the middle: hash mismatch naming the file
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(file, bad);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Recommender.load(dir));
        assertTrue(e.getMessage().contains(AnnIndex.FILE) && e.getMessage().contains("SHA-256"), e.getMessage());
        // truncated
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(good);
            raf.setLength(good.length - 7);
        }
        e = assertThrows(ModelFormatException.class, () -> Recommender.load(dir));
        assertTrue(e.getMessage().contains(AnnIndex.FILE) && e.getMessage().contains("truncated"), e.getMessage());
        // a damaged file whose hash was (wrongly) re-recorded still fails the index's own checks, by name
        Files.write(file, bad);
        e = assertThrows(ModelFormatException.class, () -> AnnIndex.read(file, n, 16));
        assertTrue(e.getMessage().contains(AnnIndex.FILE), e.getMessage());
    }

    @Test
    void anIndexBuiltFromOtherWeightsIsRefused() throws Exception {
        IbimModel m = model(600, 8);
        Path dir = export(m, "model");
        Recommender r = Recommender.load(dir);
        ModelDirectory.writeIndex(dir, AnnIndex.build(r.itemTable(), 16, AnnIndex.Params.defaults(),
                "0".repeat(64), null));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Recommender.load(dir));
        assertTrue(e.getMessage().contains("eimf index build"), e.getMessage());
    }

    private static List<Integer> ids(Recommender.Result r) {
        return r.items().stream().map(Recommender.Item::id).toList();
    }
}
