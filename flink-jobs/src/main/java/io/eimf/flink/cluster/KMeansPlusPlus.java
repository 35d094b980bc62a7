package io.eimf.flink.cluster;

import io.eimf.core.cli.EimfException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * k-means++ seeding (Arthur and Vassilvitskii, 2007), greedy variant: the first centre uniformly, each next one with probability
 * proportional to its squared distance to the nearest centre chosen so far. Runs in the client on a seeded sample.
 */
final class KMeansPlusPlus {
    private KMeansPlusPlus() {}

    /** Index drawn with probability proportional to {@code d2}, given a uniform {@code u} in [0, 1). */
    private static int draw(double[] d2, double total, double u) {
        double r = u * total;
        double acc = 0;
        int last = -1;
        for (int i = 0; i < d2.length; i++) {
            if (d2[i] <= 0) continue;
            last = i;
            acc += d2[i];
            if (acc > r) return i;
        }
        return last; // r fell past the last positive mass through rounding
    }

    /** Chooses {@code k} centres from {@code points} (ordered by user id, so the result depends only on the seed). */
    static float[][] choose(List<Profile> points, int k, long seed) {
        int n = points.size();
        if (n < k) {
            throw new EimfException("k-means++ needs at least k=" + k + " profiles, the initialisation sample has " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] centres = new float[k][];
        centres[0] = points.get(rnd.nextInt(n)).vector.clone();
        double[] d2 = new double[n];
        for (int i = 0; i < n; i++) d2[i] = VectorMath.squaredDistance(points.get(i).vector, centres[0]);
        // Greedy k-means++ (as scikit-learn does): draw 2 + ln k candidates per step and keep the one that lowers
        // the potential most; plain k-means++ lands in poor local optima noticeably more often.
        int trials = 2 + (int) Math.log(k);
        double[] cand = new double[n];
        double[] best = new double[n];
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (double x : d2) total += x;
            if (total <= 0) {
                throw new EimfException("k-means++ found only " + c + " distinct profiles in the initialisation "
                        + "sample; lower --k (now " + k + ")");
            }
            int bestPick = -1;
            double bestPotential = Double.POSITIVE_INFINITY;
            for (int t = 0; t < trials; t++) {
                int pick = draw(d2, total, rnd.nextDouble());
                float[] v = points.get(pick).vector;
                double potential = 0;
                for (int i = 0; i < n; i++) {
                    cand[i] = Math.min(d2[i], VectorMath.squaredDistance(points.get(i).vector, v));
                    potential += cand[i];
                }
                if (potential < bestPotential) {
                    bestPotential = potential;
                    bestPick = pick;
                    System.arraycopy(cand, 0, best, 0, n);
                }
            }
            centres[c] = points.get(bestPick).vector.clone();
            System.arraycopy(best, 0, d2, 0, n);
        }
        return centres;
    }
}
