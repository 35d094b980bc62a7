package io.eimf.core.semantic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SemanticFilesTest {
    @TempDir Path tmp;

    static ClustersManifest manifest() {
        return new ClustersManifest(1, new ClustersManifest.DatasetRef("/d", "abc", "comirec"), "cut", "categories", 2,
                null, 1, 2, 10, 5, 1e-4, 3, true, List.of(3.0, 2.0, 1.9), 1.9, List.of(2L, 1L), 3, 1, 1, 3, 2, 1, null,
                null, null);
    }

    @Test
    void clusterSetRoundTripsAndNamesTheBadLine() throws IOException {
        List<ClusterSet.Assignment> as = List.of(new ClusterSet.Assignment(0, "a\tb", 0, 0.5, 10),
                new ClusterSet.Assignment(1, "c", 0, 0.25, 3), new ClusterSet.Assignment(2, "d", 1, 0, 7));
        List<ClusterSet.TypicalSample> ss = List.of(new ClusterSet.TypicalSample(0, 0, 0, "a\tb", 0.5, 10),
                new ClusterSet.TypicalSample(1, 0, 2, "d", 0, 7));
        float[][] cs = {{0.5f, 0.25f}, {1f, 0f}};
        AtomicOutput.directory(tmp.resolve("c"), false, d -> ClusterSet.write(d, manifest(), as, ss, cs,
                new long[] {2, 1}));
        ClusterSet r = ClusterSet.read(tmp.resolve("c"));
        assertEquals(as, r.assignments());
        assertEquals(ss, r.samples());
        assertArrayEquals(cs[0], r.centroids()[0]);
        assertEquals(64, r.manifest().contentHash().length());
        assertTrue(r.manifest().toolVersion().startsWith("eimf "));

        Path f = tmp.resolve("c").resolve(ClusterSet.SAMPLES);
        Files.writeString(f, ClusterSet.SAMPLES_HEADER + "\n0\t0\t0\ta\t0.5\t10\n7\t0\t2\td\t0\t7\n");
        IOException e = assertThrows(IOException.class, () -> ClusterSet.read(tmp.resolve("c")));
        assertTrue(e.getMessage().contains("samples.tsv:3") && e.getMessage().contains("cluster 7"), e.getMessage());
    }

    @Test
    void semanticDatasetRoundTripsAndChecksEmbeddingLengths() throws IOException {
        SemanticManifest m = new SemanticManifest(1, new SemanticManifest.ClustersRef("/c", "h"), "d", "cut",
                "metadata", "metadata-v1", null, "emb", 2, 50, 2, 1, 1,
                new SemanticManifest.RunTotals(3, 0, 0, 0, 1, 0, 1.5), null, null, null);
        UserInterests u = new UserInterests(4, "u5", 1, 12, List.of(new SemanticInterest("Jazz", "likes jazz",
                new int[] {3, 9}, new float[] {0.6f, 0.8f})), "metadata", "metadata-v1", null, false);
        ExtractionFailure f = new ExtractionFailure(7, "u8", 0, 3, "timeout");
        AtomicOutput.directory(tmp.resolve("s"), false, d -> SemanticInterestDataset.write(d, m, List.of(u),
                List.of(f)));
        SemanticInterestDataset r = SemanticInterestDataset.read(tmp.resolve("s"));
        assertEquals(1, r.users().size());
        assertEquals("Jazz", r.users().get(0).interests().get(0).name());
        assertArrayEquals(new int[] {3, 9}, r.users().get(0).interests().get(0).evidence());
        assertArrayEquals(new float[] {0.6f, 0.8f}, r.users().get(0).interests().get(0).embedding());
        assertEquals(f, r.failures().get(0));
        assertEquals(1.5, r.manifest().totals().wallSeconds());

        Files.writeString(tmp.resolve("s").resolve(SemanticInterestDataset.INTERESTS),
                "{\"user\":1,\"rawUser\":\"x\",\"cluster\":0,\"promptItems\":1,\"interests\":[{\"name\":\"A\","
                        + "\"description\":\"\",\"evidence\":[],\"embedding\":[1.0]}]}\n");
        IOException e = assertThrows(IOException.class, () -> SemanticInterestDataset.read(tmp.resolve("s")));
        assertTrue(e.getMessage().contains("interests.jsonl:1") && e.getMessage().contains("1-d"), e.getMessage());
    }
}
