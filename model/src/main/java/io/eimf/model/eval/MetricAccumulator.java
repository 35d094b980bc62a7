package io.eimf.model.eval;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Top-N metrics averaged over users. Standard definitions: Recall@N = hits / |distinct targets|, HitRate@N = share
 * of users with a hit, NDCG@N with IDCG over min(|targets|, N) ideal hits. ComiRec's code reports NDCG with IDCG over
 * the number of hits instead; that variant appears only as {@code comirec-ndcg@N}. {@code micro-recall@N} pools
 * instead of averaging (all hits / all targets), as some toolkits report recall; users with many targets weigh more.
 */
public final class MetricAccumulator {
    private final int[] cutoffs;
    private final double[] recall;
    private final double[] hit;
    private final double[] ndcg;
    private final double[] comirecNdcg;
    private final long[] pooledHits;
    private long users;
    private long pooledTargets;

    public MetricAccumulator(int... cutoffs) {
        this.cutoffs = cutoffs.clone();
        this.recall = new double[cutoffs.length];
        this.hit = new double[cutoffs.length];
        this.ndcg = new double[cutoffs.length];
        this.comirecNdcg = new double[cutoffs.length];
        this.pooledHits = new long[cutoffs.length];
    }

    /** The largest cutoff: how long ranked lists must be. */
    public int maxCutoff() {
        int m = 0;
        for (int c : cutoffs) m = Math.max(m, c);
        return m;
    }

    /** Adds one user's ranked list (best first) and targets. */
    public void add(int[] ranked, int[] targets) {
        Set<Integer> t = new HashSet<>();
        for (int x : targets) t.add(x);
        if (t.isEmpty()) throw new IllegalArgumentException("a user without targets cannot be evaluated");
        users++;
        pooledTargets += t.size();
        for (int c = 0; c < cutoffs.length; c++) {
            int n = Math.min(cutoffs[c], ranked.length);
            int hits = 0;
            double dcg = 0;
            for (int r = 0; r < n; r++) {
                if (t.contains(ranked[r])) {
                    hits++;
                    dcg += 1.0 / log2(r + 2);
                }
            }
            recall[c] += (double) hits / t.size();
            pooledHits[c] += hits;
            if (hits > 0) hit[c] += 1;
            double idcg = 0;
            for (int r = 0; r < Math.min(t.size(), cutoffs[c]); r++) idcg += 1.0 / log2(r + 2);
            ndcg[c] += dcg / idcg;
            if (hits > 0) {
                double ihits = 0;
                for (int r = 0; r < hits; r++) ihits += 1.0 / log2(r + 2);
                comirecNdcg[c] += dcg / ihits;
            }
        }
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    public long users() {
        return users;
    }

    /** Metric name -> mean over users, e.g. recall@50, hitrate@50, ndcg@50, comirec-ndcg@50; and micro-recall@50. */
    public Map<String, Double> result() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int c = 0; c < cutoffs.length; c++) {
            int n = cutoffs[c];
            double u = Math.max(1, users);
            m.put("recall@" + n, recall[c] / u);
            m.put("hitrate@" + n, hit[c] / u);
            m.put("ndcg@" + n, ndcg[c] / u);
            m.put("comirec-ndcg@" + n, comirecNdcg[c] / u);
            m.put("micro-recall@" + n, pooledHits[c] / (double) Math.max(1, pooledTargets));
        }
        return m;
    }
}
