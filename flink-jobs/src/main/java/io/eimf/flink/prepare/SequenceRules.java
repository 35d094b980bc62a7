package io.eimf.flink.prepare;

import io.eimf.flink.format.InteractionRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-user and filter rules both engines apply: building a user's time-ordered sequence and the iterative k-core
 * pass over sequences. One implementation, so the Flink job and the in-memory preparer cannot drift apart.
 */
public final class SequenceRules {
    private SequenceRules() {}

    /** Whether an item or user with {@code count} interactions survives a minimum of {@code min}. */
    public static boolean keep(long count, int min) {
        return count >= min;
    }

    /**
     * The positions 0..n-1 of one user's interactions (parallel arrays, any order) sorted by time, ties by input order:
     * the one ordering rule ({@link InteractionRecord#compare}) of both engines.
     */
    public static int[] order(long[] times, long[] orders, int[] pos, int n) {
        int sorted = 1;
        while (sorted < n && InteractionRecord.compare(times[sorted - 1], orders[sorted - 1], pos[sorted - 1],
                times[sorted], orders[sorted], pos[sorted]) <= 0) {
            sorted++;
        }
        if (sorted >= n) {
            // Already in order (typical: a source that lists each user's interactions in time order): no sort.
            int[] identity = new int[n];
            for (int i = 0; i < n; i++) identity[i] = i;
            return identity;
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (x, y) -> InteractionRecord.compare(times[x], orders[x], pos[x], times[y], orders[y], pos[y]));
        int[] out = new int[n];
        for (int k = 0; k < n; k++) out[k] = idx[k];
        return out;
    }

    /**
     * Continues a filter that already made one item-then-user pass until nothing changes (k-core): each further pass
     * drops items with fewer than {@code minItem} interactions from every sequence, then sequences shorter than
     * {@code minUser}. The result does not depend on the order of {@code seqs}.
     *
     * @return the number of passes that removed something, counting the first one (at least 1)
     */
    public static int kCore(List<RawSequence> seqs, int minItem, int minUser) {
        int passes = 1;
        while (true) {
            Map<String, int[]> counts = new HashMap<>();
            for (RawSequence s : seqs) for (String it : s.items) counts.computeIfAbsent(it, k -> new int[1])[0]++;
            boolean changed = false;
            List<RawSequence> next = new ArrayList<>(seqs.size());
            for (RawSequence s : seqs) {
                int kept = 0;
                for (String it : s.items) if (keep(counts.get(it)[0], minItem)) kept++;
                RawSequence t = s;
                if (kept != s.items.length) {
                    changed = true;
                    String[] items = new String[kept];
                    long[] times = new long[kept];
                    int j = 0;
                    for (int i = 0; i < s.items.length; i++) {
                        if (keep(counts.get(s.items[i])[0], minItem)) {
                            items[j] = s.items[i];
                            times[j++] = s.times[i];
                        }
                    }
                    t = new RawSequence(s.user, items, times);
                }
                if (keep(t.items.length, minUser)) next.add(t);
                else changed = true;
            }
            seqs.clear();
            seqs.addAll(next);
            if (!changed) return passes;
            passes++;
        }
    }
}
