package io.eimf.model.inference;

/**
 * Plain-Java exact retrieval for one user: scores every item against the K interests and keeps the top-N with
 * {@link TopNRetriever}'s heap, so the merge rule (best score over the interests, ties to the lower id, the first
 * interest reaching the best score, padding never listed) is the evaluation's. Single requests go through here
 * because one [K, d] x [d, N] product through ND4J costs more in dispatch and thread wake-ups than in arithmetic.
 * Thread-safe: the table is read-only and the score buffers are per thread.
 */
public final class ItemScorer {
    /** Items per block: four accumulator rows of this many floats stay in L1 while a block is scored. */
    static final int BLOCK = 256;
    private final int dim;
    private final int numItems;
    /**
     * The item table transposed per block: {@code rows[b*dim + t][j]} is dimension t of item {@code b*BLOCK + j}.
     * One array per (block, dimension), so that the inner loops index every array from 0: the JIT then vectorises
     * {@code acc[j] += w * row[j]}. Flat arrays indexed with differing loop-invariant offsets measured about four
     * times slower here (Java 17's vectoriser appears not to handle that case).
     */
    private final float[][] rows;
    private final ThreadLocal<Scratch> scratch;

    private static final class Scratch {
        final float[] best;
        final int[] arg;
        final float[][] acc = new float[4][BLOCK];
        float[] padded = new float[0];

        Scratch(int cols) {
            best = new float[cols];
            arg = new int[cols];
        }
    }

    /** @param items the item table [numItems+1, dim] row-major, row 0 padding (copied) */
    public ItemScorer(float[] items, int dim) {
        if (dim < 1 || items.length % dim != 0 || items.length / dim < 2) {
            throw new IllegalArgumentException("item table of " + items.length + " floats is not [numItems+1, " + dim + "]");
        }
        this.dim = dim;
        int cols = items.length / dim;
        this.numItems = cols - 1;
        int blocks = (cols + BLOCK - 1) / BLOCK;
        this.rows = new float[blocks * dim][BLOCK];
        for (int i = 0; i < cols; i++) {
            int b = i / BLOCK;
            int j = i % BLOCK;
            for (int t = 0; t < dim; t++) rows[b * dim + t][j] = items[i * dim + t];
        }
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(numItems + 1));
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
        if (k < 1 || interests.length < k * dim) throw new IllegalArgumentException("interests shorter than K*d");
        Scratch s = scratch.get();
        int groups = (k + 3) / 4;
        if (s.padded.length < groups * 4 * dim) s.padded = new float[groups * 4 * dim];
        float[] ip = s.padded; // interests padded with zero rows to a multiple of four
        System.arraycopy(interests, 0, ip, 0, k * dim);
        java.util.Arrays.fill(ip, k * dim, groups * 4 * dim, 0f);
        float[] c0 = s.acc[0];
        float[] c1 = s.acc[1];
        float[] c2 = s.acc[2];
        float[] c3 = s.acc[3];
        float[] best = s.best;
        int[] arg = s.arg;
        int cols = numItems + 1;
        for (int b = 0; b * BLOCK < cols; b++) {
            int from = b * BLOCK;
            int n = Math.min(BLOCK, cols - from);
            for (int g = 0; g < groups; g++) {
                int i0 = g * 4 * dim;
                java.util.Arrays.fill(c0, 0f);
                java.util.Arrays.fill(c1, 0f);
                java.util.Arrays.fill(c2, 0f);
                java.util.Arrays.fill(c3, 0f);
                for (int t = 0; t < dim; t++) {
                    float w0 = ip[i0 + t];
                    float w1 = ip[i0 + dim + t];
                    float w2 = ip[i0 + 2 * dim + t];
                    float w3 = ip[i0 + 3 * dim + t];
                    float[] row = rows[b * dim + t];
                    for (int j = 0; j < BLOCK; j++) {
                        float v = row[j];
                        c0[j] += w0 * v;
                        c1[j] += w1 * v;
                        c2[j] += w2 * v;
                        c3[j] += w3 * v;
                    }
                }
                // Strict > keeps the first interest reaching the best score, as TopNRetriever.retrieve does.
                int valid = Math.min(4, k - 4 * g);
                for (int j = 0; j < n; j++) {
                    float bs = g == 0 ? c0[j] : best[from + j];
                    int a = g == 0 ? 0 : arg[from + j];
                    if (g > 0 && c0[j] > bs) {
                        bs = c0[j];
                        a = 4 * g;
                    }
                    if (valid > 1 && c1[j] > bs) {
                        bs = c1[j];
                        a = 4 * g + 1;
                    }
                    if (valid > 2 && c2[j] > bs) {
                        bs = c2[j];
                        a = 4 * g + 2;
                    }
                    if (valid > 3 && c3[j] > bs) {
                        bs = c3[j];
                        a = 4 * g + 3;
                    }
                    best[from + j] = bs;
                    arg[from + j] = a;
                }
            }
        }
        return TopNRetriever.topN(best, arg, Math.min(topN, numItems));
    }
}
