package io.eimf.flink.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KMeansITCase {
    static FlinkRuntime rt;

    @BeforeAll
    static void start() throws Exception {
        rt = FlinkRuntime.shared(2);
    }

    @AfterAll
    static void stop() throws Exception {
        rt.close();
    }

    static int[] labels(List<Assigned> as) {
        int[] l = new int[as.size()];
        for (int i = 0; i < l.length; i++) l[i] = as.get(i).cluster;
        return l;
    }

    @Test
    void recoversPlantedClustersAndRepeatsForASeed() throws Exception {
        SyntheticProfiles src = new SyntheticProfiles(2000, 16, 6, 0.5, 7);
        KMeans.Config c = new KMeans.Config(6, 11, 30, 1e-6, 1000);
        KMeans.Result r1 = KMeans.fit(src, c, rt, null);
        List<Assigned> a1 = KMeans.assign(src, r1.centroids(), rt);
        int[] truth = new int[a1.size()];
        for (int i = 0; i < truth.length; i++) {
            assertEquals(i, a1.get(i).user);
            truth[i] = src.plantedCluster(i);
        }
        double ari = AdjustedRand.index(truth, labels(a1));
        System.out.println("adjusted Rand index vs planted clusters: " + ari);
        assertTrue(ari >= 0.9, "adjusted Rand index " + ari + " < 0.9");
        assertTrue(r1.iterations() >= 2, "ran " + r1.iterations());
        // Lloyd never increases inertia.
        for (int i = 1; i < r1.inertiaHistory().size(); i++) {
            assertTrue(r1.inertiaHistory().get(i) <= r1.inertiaHistory().get(i - 1) * (1 + 1e-9));
        }

        KMeans.Result r2 = KMeans.fit(src, c, rt, null);
        assertEquals(r1.inertiaHistory(), r2.inertiaHistory());
        for (int j = 0; j < c.k(); j++) assertArrayEquals(r1.centroids()[j], r2.centroids()[j]);
        assertArrayEquals(labels(a1), labels(KMeans.assign(src, r2.centroids(), rt)));
    }

    @Test
    void aDifferentSeedStillFindsThePlantedStructure() throws Exception {
        SyntheticProfiles src = new SyntheticProfiles(1200, 32, 8, 0.5, 3);
        KMeans.Result r = KMeans.fit(src, new KMeans.Config(8, 99, 30, 1e-6, 2000), rt, null);
        List<Assigned> a = KMeans.assign(src, r.centroids(), rt);
        int[] truth = new int[a.size()];
        for (int i = 0; i < truth.length; i++) truth[i] = src.plantedCluster(i);
        double ari = AdjustedRand.index(truth, labels(a));
        System.out.println("adjusted Rand index vs planted clusters: " + ari);
        assertTrue(ari >= 0.9, "adjusted Rand index " + ari + " < 0.9");
    }
}
