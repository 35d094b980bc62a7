package io.eimf.model.inference;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact multi-interest retrieval, shared by evaluation and serving: each of a user's K interests ranks every item by
 * inner product, the K lists merge by score and duplicates keep their best score, padding (item 0) never appears.
 * Merging K top-N lists by score equals ranking every item by its best score over the interests (an item in the
 * merged top-N is in the top-N of the interest that scores it highest), which is what this computes: one
 * [users*K, items] score block per call, then a per-user top-N heap. Callers pass users in chunks, so no
 * users x items matrix ever exists for the whole population.
 */
public final class TopNRetriever {
    private final INDArray itemTableTransposed;
    private final int numItems;

    /** @param itemTable the item embeddings [numItems+1, d], row 0 padding */
    public TopNRetriever(INDArray itemTable) {
        this.itemTableTransposed = itemTable.transpose();
        this.numItems = (int) itemTable.size(0) - 1;
    }

    /** One user's ranked list: item ids, scores and which interest (0..K-1) retrieved each. */
    public record Ranked(int[] items, float[] scores, int[] interest) {}

    public int numItems() {
        return numItems;
    }

    /**
     * Ranks items for each user of a chunk.
     *
     * @param interests [C, K, d]
     * @param topN list length (at most numItems)
     */
    public Ranked[] retrieve(INDArray interests, int topN) {
        int c = (int) interests.size(0);
        int k = (int) interests.size(1);
        int d = (int) interests.size(2);
        int n = Math.min(topN, numItems);
        INDArray scores = interests.reshape((long) c * k, d).mmul(itemTableTransposed); // [C*K, N+1]
        float[] s = scores.dup('c').data().asFloat();
        int cols = numItems + 1;
        Ranked[] out = new Ranked[c];
        float[] best = new float[cols];
        int[] arg = new int[cols];
        for (int u = 0; u < c; u++) {
            int base = u * k * cols;
            System.arraycopy(s, base, best, 0, cols);
            java.util.Arrays.fill(arg, 0);
            for (int kk = 1; kk < k; kk++) {
                int off = base + kk * cols;
                for (int j = 1; j < cols; j++) {
                    float v = s[off + j];
                    if (v > best[j]) {
                        best[j] = v;
                        arg[j] = kk;
                    }
                }
            }
            out[u] = topN(best, arg, n);
        }
        return out;
    }

    /** Top-n of items 1..len-1 by score (ties: lower id first), via a bounded min-heap. */
    static Ranked topN(float[] score, int[] arg, int n) {
        int[] heap = new int[n];
        int size = 0;
        for (int j = 1; j < score.length; j++) {
            if (size < n) {
                heap[size] = j;
                siftUp(heap, size++, score);
            } else if (better(j, heap[0], score)) {
                heap[0] = j;
                siftDown(heap, size, score);
            }
        }
        int[] items = new int[size];
        for (int i = size - 1; i >= 0; i--) {
            items[i] = heap[0];
            heap[0] = heap[i];
            siftDown(heap, i, score);
        }
        float[] sc = new float[size];
        int[] ks = new int[size];
        for (int i = 0; i < size; i++) {
            sc[i] = score[items[i]];
            ks[i] = arg[items[i]];
        }
        return new Ranked(items, sc, ks);
    }

    /** Whether item a ranks above item b. */
    private static boolean better(int a, int b, float[] score) {
        return score[a] > score[b] || (score[a] == score[b] && a < b);
    }

    private static void siftUp(int[] h, int i, float[] s) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (better(h[p], h[i], s)) {
                int t = h[p];
                h[p] = h[i];
                h[i] = t;
                i = p;
            } else {
                return;
            }
        }
    }

    private static void siftDown(int[] h, int size, float[] s) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) return;
            int r = l + 1;
            int worst = r < size && better(h[l], h[r], s) ? r : l;
            if (better(h[i], h[worst], s)) {
                int t = h[i];
                h[i] = h[worst];
                h[worst] = t;
                i = worst;
            } else {
                return;
            }
        }
    }
}
