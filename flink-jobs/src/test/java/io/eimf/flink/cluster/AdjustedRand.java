package io.eimf.flink.cluster;

import java.util.HashMap;
import java.util.Map;

/** Adjusted Rand index (Hubert and Arabie, 1985) of two labelings of the same points. */
final class AdjustedRand {
    private AdjustedRand() {}

    static double index(int[] a, int[] b) {
        Map<Long, Long> cells = new HashMap<>();
        Map<Integer, Long> rows = new HashMap<>();
        Map<Integer, Long> cols = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            cells.merge(((long) a[i] << 32) | (b[i] & 0xffffffffL), 1L, Long::sum);
            rows.merge(a[i], 1L, Long::sum);
            cols.merge(b[i], 1L, Long::sum);
        }
        double index = 0, sa = 0, sb = 0;
        for (long n : cells.values()) index += choose2(n);
        for (long n : rows.values()) sa += choose2(n);
        for (long n : cols.values()) sb += choose2(n);
        double expected = sa * sb / choose2(a.length);
        double max = (sa + sb) / 2;
        return (index - expected) / (max - expected);
    }

    private static double choose2(long n) {
        return n * (n - 1) / 2.0;
    }
}
