package io.eimf.model.inference;

import io.eimf.model.ibim.IbimModel;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A synthetic item table with the structure trained tables have and random ones lack, for measuring the ANN index:
 * items in clusters of skewed sizes (cluster of an item ~ C*u^2), each item its cluster's unit centre plus Gaussian
 * noise, scaled by a log-normal norm (popular items score higher across the board, which is what makes maximum
 * inner product search harder than cosine search). Users read from one to four clusters.
 */
public final class ClusteredCatalogue {
    private final int numItems;
    /** Items of cluster c are {@code members[start[c] .. start[c+1])}. */
    private final int[] start;
    private final int[] members;
    private final int[] clusterOf;

    private ClusteredCatalogue(int numItems, int[] start, int[] members, int[] clusterOf) {
        this.numItems = numItems;
        this.start = start;
        this.members = members;
        this.clusterOf = clusterOf;
    }

    /** About one cluster per thousand items, at least eight. */
    public static int defaultClusters(int numItems) {
        return Math.max(8, numItems / 1000);
    }

    /** Overwrites the model's item table (rows 1..N; row 0, padding, zero) with a clustered one. */
    public static ClusteredCatalogue fill(IbimModel model, int clusters, long seed) {
        int n = model.config().numItems();
        int d = model.config().dim();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] centres = new float[clusters * d];
        for (int c = 0; c < clusters; c++) {
            double norm = 0;
            for (int t = 0; t < d; t++) {
                double g = gauss(rnd);
                centres[c * d + t] = (float) g;
                norm += g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int t = 0; t < d; t++) centres[c * d + t] *= inv;
        }
        float[] table = new float[(n + 1) * d];
        int[] clusterOf = new int[n + 1];
        int[] count = new int[clusters + 1];
        double noise = 0.5 / Math.sqrt(d);
        for (int i = 1; i <= n; i++) {
            double u = rnd.nextDouble();
            int c = Math.min(clusters - 1, (int) (clusters * u * u));
            clusterOf[i] = c;
            count[c + 1]++;
            double scale = Math.exp(0.25 * gauss(rnd));
            for (int t = 0; t < d; t++) table[i * d + t] = (float) (scale * (centres[c * d + t] + noise * gauss(rnd)));
        }
        for (int c = 0; c < clusters; c++) count[c + 1] += count[c];
        int[] start = count.clone();
        int[] members = new int[n];
        int[] fillAt = count.clone();
        for (int i = 1; i <= n; i++) members[fillAt[clusterOf[i]]++] = i;
        model.itemEmbeddings().value().assign(Nd4j.create(table, new long[] {n + 1, d}, DataType.FLOAT));
        return new ClusteredCatalogue(n, start, members, clusterOf);
    }

    /** A history of {@code length} dense ids from one to four clusters (each picked through a random item). */
    public int[] history(SplittableRandom rnd, int length) {
        int interests = 1 + rnd.nextInt(4);
        int[] cs = new int[interests];
        for (int j = 0; j < interests; j++) cs[j] = clusterOf[1 + rnd.nextInt(numItems)];
        int[] h = new int[length];
        for (int i = 0; i < length; i++) {
            int c = cs[rnd.nextInt(interests)];
            h[i] = members[start[c] + rnd.nextInt(start[c + 1] - start[c])];
        }
        return h;
    }

    private static double gauss(SplittableRandom rnd) {
        // Box-Muller; one value per call keeps the stream simple to reproduce
        double u = 1 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
