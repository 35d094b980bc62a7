package io.eimf.model.esim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eimf.model.nn.Rng;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The assignment is optimal (checked against brute force) and one-to-one, for every rectangular shape. */
class HungarianTest {
    @Test
    void matchesBruteForceOnRandomMatrices() {
        Rng rng = new Rng(5);
        for (int trial = 0; trial < 300; trial++) {
            int rows = 1 + rng.nextInt(5);
            int cols = 1 + rng.nextInt(6);
            double[][] s = new double[rows][cols];
            for (double[] r : s) for (int j = 0; j < cols; j++) r[j] = rng.nextGaussian();
            int[] a = Hungarian.maximize(s);
            Set<Integer> used = new HashSet<>();
            double total = 0;
            int pairs = 0;
            for (int i = 0; i < rows; i++) {
                if (a[i] < 0) continue;
                assertEquals(true, used.add(a[i]), "column used twice");
                total += s[i][a[i]];
                pairs++;
            }
            assertEquals(Math.min(rows, cols), pairs, "pairs");
            assertEquals(best(s, 0, new boolean[cols], rows - Math.min(rows, cols)), total, 1e-9, "trial " + trial);
        }
    }

    @Test
    void knownCase() {
        // greedy row-by-row would take (0,0)=0.9 and then (1,1)=0.1; the optimum crosses over.
        double[][] s = {{0.9, 0.8}, {0.85, 0.1}};
        assertArrayEquals(new int[] {1, 0}, Hungarian.maximize(s));
        assertArrayEquals(new int[] {-1, 0}, Hungarian.maximize(new double[][] {{0.1}, {0.5}}));
        assertArrayEquals(new int[0], Hungarian.maximize(new double[0][0]));
    }

    /** Best total over assignments where {@code skips} rows stay unassigned. */
    private static double best(double[][] s, int i, boolean[] used, int skips) {
        if (i == s.length) return 0;
        double b = Double.NEGATIVE_INFINITY;
        if (skips > 0) b = best(s, i + 1, used, skips - 1);
        for (int j = 0; j < used.length; j++) {
            if (used[j]) continue;
            used[j] = true;
            b = Math.max(b, s[i][j] + best(s, i + 1, used, skips));
            used[j] = false;
        }
        return b;
    }
}
