package io.eimf.model.esim;

import java.util.Arrays;

/**
 * Maximum-score one-to-one assignment (Kuhn-Munkres with potentials, O(n^2 m)) for the small K x J matrices of
 * ESIM's interest matching: each row gets at most one column and each column at most one row, min(K, J) pairs in
 * all, maximising the summed score. Ties break towards the lower index, so the result is deterministic.
 */
public final class Hungarian {
    private Hungarian() {}

    /**
     * @param score score[i][j] for row i and column j (rectangular, any shape; no NaN)
     * @return for each row its column, or -1 when it has none (more rows than columns)
     */
    public static int[] maximize(double[][] score) {
        int rows = score.length;
        if (rows == 0) return new int[0];
        int cols = score[0].length;
        int[] out = new int[rows];
        Arrays.fill(out, -1);
        if (cols == 0) return out;
        if (rows <= cols) {
            int[] a = solve(score, rows, cols, false);
            System.arraycopy(a, 0, out, 0, rows);
        } else {
            int[] colToRow = solve(score, cols, rows, true);
            for (int j = 0; j < cols; j++) out[colToRow[j]] = j;
        }
        return out;
    }

    /** Assigns each of n "left" nodes (n <= m) to a distinct right node, minimising -score. */
    private static int[] solve(double[][] score, int n, int m, boolean transposed) {
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] p = new int[m + 1];   // p[j]: left node matched to right node j (1-based, 0 = none)
        int[] way = new int[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[m + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= m; j++) {
                    if (used[j]) continue;
                    double s = transposed ? score[j - 1][i0 - 1] : score[i0 - 1][j - 1];
                    double cur = -s - u[i0] - v[j];
                    if (cur < minv[j]) {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta) {
                        delta = minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] match = new int[n];
        for (int j = 1; j <= m; j++) if (p[j] != 0) match[p[j] - 1] = j - 1;
        return match;
    }
}
