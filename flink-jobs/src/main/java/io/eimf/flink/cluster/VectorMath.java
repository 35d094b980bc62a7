package io.eimf.flink.cluster;

/** The distance arithmetic every k-means pass shares. */
final class VectorMath {
    /**
     * Coordinate sums are fixed point with 32 fraction bits: integer addition is exact and associative, so k-means
     * gives the same centroids for a seed however Flink spreads the records over subtasks (double sums would differ
     * in the last bits with the summation order).
     */
    static final double SUM_SCALE = 0x1.0p32;
    /** Squared distances are summed with 20 fraction bits (about 1e-6 per point). */
    static final double INERTIA_SCALE = 0x1.0p20;
    /** Largest coordinate magnitude the fixed-point sums accept. */
    static final float MAX_COORDINATE = 1024f;

    private VectorMath() {}

    /** A coordinate in fixed point; refuses magnitudes whose sums could overflow. */
    static long fixed(float v, int user) {
        if (!(Math.abs(v) <= MAX_COORDINATE)) {
            throw new IllegalArgumentException("user " + user + ": profile value " + v + " outside [-"
                    + MAX_COORDINATE + ", " + MAX_COORDINATE + "] (profiles must be finite and normalised)");
        }
        return Math.round(v * SUM_SCALE);
    }

    /** Squared Euclidean distance. */
    static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            float d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /**
     * Index of the nearest centroid (lowest index on ties, so the result never depends on evaluation order);
     * writes the squared distance into {@code dist[0]}.
     */
    static int nearest(float[][] centroids, float[] v, double[] dist) {
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            double d = squaredDistance(centroids[c], v);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        dist[0] = bestD;
        return best;
    }
}
