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
        if (!(v <= MAX_COORDINATE && v >= -MAX_COORDINATE)) {
            throw new IllegalArgumentException("user " + user + ": profile value " + v + " outside [-"
                    + MAX_COORDINATE + ", " + MAX_COORDINATE + "] (profiles must be finite and normalised)");
        }
        // A float times 2^32 is exact in a double and, below 2^42 in magnitude, an integer or truncated
        // deterministically: no rounding call needed.
        return (long) (v * SUM_SCALE);
    }

    /**
     * Squared Euclidean distance. Four float accumulators let the JIT vectorise the loop (one double accumulator
     * forces a sequential chain); the order is fixed, so the result is still the same on every run.
     */
    static double squaredDistance(float[] a, float[] b) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float d0 = a[i] - b[i];
            float d1 = a[i + 1] - b[i + 1];
            float d2 = a[i + 2] - b[i + 2];
            float d3 = a[i + 3] - b[i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < n; i++) {
            float d = a[i] - b[i];
            s0 += d * d;
        }
        return (double) s0 + s1 + s2 + s3;
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
