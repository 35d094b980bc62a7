package io.eimf.model.inference;

/**
 * Plain-Java exact retrieval for one user: scores every item against the K interests straight from a float[] item
 * table and keeps the top-N with {@link TopNRetriever}'s heap, so the merge rule (best score over the interests,
 * ties to the lower id, the first interest reaching the best score, padding never listed) is the evaluation's.
 * Single requests go through here because one [K, d] x [d, N] product through ND4J costs more in dispatch and
 * thread wake-ups than in arithmetic. Thread-safe: the table is read-only and the score buffers are per thread.
 */
public final class ItemScorer {
    private final float[] items;
    private final int dim;
    private final int numItems;
    private final ThreadLocal<Scratch> scratch;

    private record Scratch(float[] best, int[] arg) {}

    /** @param items the item table [numItems+1, dim] row-major, row 0 padding (not copied; must not change) */
    public ItemScorer(float[] items, int dim) {
        if (dim < 1 || items.length % dim != 0 || items.length / dim < 2) {
            throw new IllegalArgumentException("item table of " + items.length + " floats is not [numItems+1, " + dim + "]");
        }
        this.items = items;
        this.dim = dim;
        this.numItems = items.length / dim - 1;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(new float[numItems + 1], new int[numItems + 1]));
    }

    public int numItems() {
        return numItems;
    }

    /**
     * One user's top-N.
     *
     * @param interests [K*d], interest k at k*d
     * @param k number of interests
     * @param topN list length (capped at numItems)
     */
    public TopNRetriever.Ranked retrieve(float[] interests, int k, int topN) {
        if (interests.length < k * dim) throw new IllegalArgumentException("interests shorter than K*d");
        Scratch s = scratch.get();
        float[] best = s.best;
        int[] arg = s.arg;
        // Item-major: each item row is read once and dotted with up to four interests at a time (the interests stay
        // in L1); four independent sums keep the floating-point adds from serialising on one register.
        for (int j = 1; j <= numItems; j++) {
            int row = j * dim;
            float b = Float.NEGATIVE_INFINITY;
            int a = 0;
            int kk = 0;
            for (; kk + 3 < k; kk += 4) {
                int i0 = kk * dim;
                int i1 = i0 + dim;
                int i2 = i1 + dim;
                int i3 = i2 + dim;
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                for (int t = 0; t < dim; t++) {
                    float v = items[row + t];
                    a0 += v * interests[i0 + t];
                    a1 += v * interests[i1 + t];
                    a2 += v * interests[i2 + t];
                    a3 += v * interests[i3 + t];
                }
                // strict > keeps the first interest reaching the best score, as TopNRetriever.retrieve does
                if (a0 > b) {
                    b = a0;
                    a = kk;
                }
                if (a1 > b) {
                    b = a1;
                    a = kk + 1;
                }
                if (a2 > b) {
                    b = a2;
                    a = kk + 2;
                }
                if (a3 > b) {
                    b = a3;
                    a = kk + 3;
                }
            }
            for (; kk < k; kk++) {
                float v = dot(items, row, interests, kk * dim, dim);
                if (v > b) {
                    b = v;
                    a = kk;
                }
            }
            best[j] = b;
            arg[j] = a;
        }
        return TopNRetriever.topN(best, arg, Math.min(topN, numItems));
    }

    private static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        float s0 = 0;
        float s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += x[xOff + i] * y[yOff + i];
            s1 += x[xOff + i + 1] * y[yOff + i + 1];
        }
        if (i < n) s0 += x[xOff + i] * y[yOff + i];
        return s0 + s1;
    }
}
