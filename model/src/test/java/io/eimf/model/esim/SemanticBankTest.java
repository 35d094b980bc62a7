package io.eimf.model.esim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.ClustersManifest;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.SemanticManifest;
import io.eimf.core.semantic.UserInterests;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Name-keyed vocabulary, averaged embeddings, and the samples/cluster scopes over real on-disk directories. */
class SemanticBankTest {
    @TempDir
    Path tmp;

    @Test
    void scopesAndVocabulary() throws Exception {
        // users 1 and 4 are typical samples of cluster 0, user 7 of cluster 1; users 2, 3 are cluster 0 members,
        // user 8 is in cluster 1, user 9 in cluster 2 (no sample).
        SemanticInterestDataset sem = semantic(List.of(
                new UserInterests(1, "u1", 0, 10, List.of(si("Drama", 1, 0), si("Comedy", 0, 1)), "m", "m", null, false),
                new UserInterests(4, "u4", 0, 10, List.of(si(" drama ", 0.6f, 0.8f), si("War", -1, 0)), "m", "m", null, false),
                new UserInterests(7, "u7", 1, 10, List.of(si("Sci-Fi", 0, -1)), "m", "m", null, false)));
        ClusterSet clusters = clusters(new int[][] {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {7, 1}, {8, 1}, {9, 2}});

        SemanticBank samples = SemanticBank.build(sem, clusters, EsimOptions.Scope.SAMPLES, DataType.FLOAT);
        assertEquals(4, samples.size(), "Drama and ' drama ' are one interest");
        assertEquals(3, samples.users());
        assertEquals(3, samples.typicalUsers());
        assertNull(samples.interestsOf(2));
        int drama = samples.interestsOf(1)[0];
        assertEquals(drama, samples.interestsOf(4)[0]);
        // the shared entry's embedding is the normalised mean of (1,0) and (0.6,0.8)
        float[] e = samples.embeddings().getRow(drama).toFloatVector();
        double n = Math.hypot(1.6, 0.8);
        assertArrayEquals(new float[] {(float) (1.6 / n), (float) (0.8 / n)}, e, 1e-6f);

        SemanticBank cluster = SemanticBank.build(sem, clusters, EsimOptions.Scope.CLUSTER, DataType.FLOAT);
        assertEquals(6, cluster.users(), "every member of a cluster with samples");
        assertArrayEquals(cluster.interestsOf(2), cluster.interestsOf(3));
        assertEquals(3, cluster.interestsOf(2).length, "union of cluster 0's samples: Drama, Comedy, War");
        assertEquals(2, cluster.interestsOf(1).length, "a typical sample keeps its own interests");
        assertArrayEquals(cluster.interestsOf(7), cluster.interestsOf(8));
        assertNull(cluster.interestsOf(9), "cluster 2 has no typical sample");
        assertThrows(EimfException.class, () -> SemanticBank.build(sem, null, EsimOptions.Scope.CLUSTER, DataType.FLOAT));
    }

    private static SemanticInterest si(String name, float x, float y) {
        return new SemanticInterest(name, "", new int[0], new float[] {x, y});
    }

    private SemanticInterestDataset semantic(List<UserInterests> users) throws Exception {
        SemanticManifest m = new SemanticManifest(1, null, "h", "train", "m", "m", null, "test", 2, 50, users.size(),
                users.size(), 0, null, null, null, null);
        Path dir = AtomicOutput.directory(tmp.resolve("sem"), true, t -> SemanticInterestDataset.write(t, m, users, List.of()));
        return SemanticInterestDataset.read(dir);
    }

    private ClusterSet clusters(int[][] userCluster) throws Exception {
        List<ClusterSet.Assignment> as = new java.util.ArrayList<>();
        for (int[] uc : userCluster) as.add(new ClusterSet.Assignment(uc[0], "u" + uc[0], uc[1], 0.1, 10));
        ClustersManifest m = new ClustersManifest(1, null, "train", "categories", 2, null, 1, 3, 10, 5, 1e-4, 1, true,
                List.of(), 0, List.of(4L, 2L, 1L), userCluster.length, 2, 5, userCluster.length, 3, 1, null, null, null);
        Path dir = AtomicOutput.directory(tmp.resolve("clusters"), true, t -> ClusterSet.write(t, m, as,
                List.of(), new float[][] {{0, 0}, {0, 0}, {0, 0}}, new long[] {4, 2, 1}));
        return ClusterSet.read(dir);
    }
}
