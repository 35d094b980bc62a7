package io.eimf.model.esim;

import io.eimf.model.nn.Ops;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The semantic side of one batch: which rows have semantic interests, the distinct interests present (the
 * contrastive candidates), each row's own interests among them, and the matching of behavioural to semantic
 * interests. Plain Java arrays; only the maths runs in ND4J.
 */
final class BatchSemantics {
    /** Added to a squared norm before the square root, so a zero vector normalises to 0 rather than NaN. */
    static final double NORM_EPS = 1e-12;

    /** Batch rows that have semantic interests. */
    final int[] rows;
    /** Distinct vocabulary ids of the interests of those rows. */
    final int[] candidates;
    /** For each semantic row, the local candidate indices of its own interests. */
    final int[][] own;

    private BatchSemantics(int[] rows, int[] candidates, int[][] own) {
        this.rows = rows;
        this.candidates = candidates;
        this.own = own;
    }

    /** The batch's semantics, or null when no row has semantic interests. */
    static BatchSemantics of(SemanticBank bank, int[] users) {
        int n = 0;
        int[] rows = new int[users.length];
        int[][] vocab = new int[users.length][];
        for (int b = 0; b < users.length; b++) {
            int[] ids = bank.interestsOf(users[b]);
            if (ids != null && ids.length > 0) {
                rows[n] = b;
                vocab[n++] = ids;
            }
        }
        if (n == 0) return null;
        int[] local = new int[bank.size()];
        Arrays.fill(local, -1);
        int[] cands = new int[bank.size()];
        int m = 0;
        int[][] own = new int[n][];
        for (int r = 0; r < n; r++) {
            own[r] = new int[vocab[r].length];
            for (int j = 0; j < vocab[r].length; j++) {
                int v = vocab[r][j];
                if (local[v] < 0) {
                    local[v] = m;
                    cands[m++] = v;
                }
                own[r][j] = local[v];
            }
        }
        return new BatchSemantics(Arrays.copyOf(rows, n), Arrays.copyOf(cands, m), own);
    }

    /** Matched pairs of one batch: the flat interest row (b*K+k) and the local candidate index of its partner. */
    record Pairs(int[] flatRows, int[] candidate, int[] semanticRow) {
        int size() {
            return flatRows.length;
        }
    }

    /**
     * Maximum-similarity one-to-one assignment per row ({@link Hungarian}), held constant in the backward pass.
     *
     * @param simArray similarity of every semantic row's K interests to every candidate: [rows*K, candidates]
     */
    Pairs match(INDArray simArray, int k) {
        // one bulk copy: per-row reads of a small ND4J matrix cost more than the whole loss
        double[] sim = simArray.reshape(simArray.length()).toDoubleVector();
        int m = (int) simArray.size(1);
        int total = 0;
        int[][] assigned = new int[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            double[][] s = new double[k][own[r].length];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < own[r].length; j++) s[i][j] = sim[(r * k + i) * m + own[r][j]];
            }
            assigned[r] = Hungarian.maximize(s);
            for (int a : assigned[r]) if (a >= 0) total++;
        }
        int[] flat = new int[total];
        int[] cand = new int[total];
        int[] srow = new int[total];
        int p = 0;
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < k; i++) {
                int a = assigned[r][i];
                if (a < 0) continue;
                flat[p] = rows[r] * k + i;
                cand[p] = own[r][a];
                srow[p++] = r;
            }
        }
        return new Pairs(flat, cand, srow);
    }

    /** For each pair, its row in the [rows*K, ...] arrays built from {@link #allFlatRows}. */
    static int[] localRows(Pairs pairs, int k) {
        int[] out = new int[pairs.size()];
        for (int a = 0; a < out.length; a++) out[a] = pairs.semanticRow()[a] * k + pairs.flatRows()[a] % k;
        return out;
    }

    /** Flat row indices b*K+k of every interest of the semantic rows, in row order. */
    int[] allFlatRows(int k) {
        int[] out = new int[rows.length * k];
        for (int r = 0; r < rows.length; r++) for (int i = 0; i < k; i++) out[r * k + i] = rows[r] * k + i;
        return out;
    }

    /** Row-wise L2 normalisation: returns {x / r, r} with r = sqrt(|x|^2 + eps) as a column. */
    static INDArray[] normalizeRows(INDArray x) {
        INDArray r = Transforms.sqrt(x.mul(x).sum(true, 1).addi(NORM_EPS), false);
        return new INDArray[] {x.divColumnVector(r), r};
    }

    /** Gradient through {@link #normalizeRows}: {@code dx = (dxh - xh * rowsum(xh . dxh)) / r}. */
    static INDArray normalizeBackward(INDArray xh, INDArray r, INDArray dxh) {
        INDArray dot = xh.mul(dxh).sum(true, 1);
        return dxh.sub(xh.mulColumnVector(dot)).diviColumnVector(r);
    }

    /** Adds {@code rows[i]} into interest row {@code flat[i]} of {@code dInterests} [B, K, d] (flat rows distinct). */
    static void addToInterests(INDArray dInterests, int[] flat, INDArray rows) {
        long b = dInterests.size(0);
        long k = dInterests.size(1);
        long d = dInterests.size(2);
        INDArray g = Nd4j.zeros(rows.dataType(), b * k, d);
        Ops.scatterAddRows(g, flat, rows);
        dInterests.addi(g.reshape(b, k, d));
    }
}
