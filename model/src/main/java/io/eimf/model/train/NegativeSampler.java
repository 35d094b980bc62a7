package io.eimf.model.train;

import io.eimf.model.nn.Rng;

/**
 * Draws the negatives shared by a whole batch for the sampled softmax. {@code uniform} (the default, what the
 * reference PyTorch numbers use) draws item ids uniformly with replacement; {@code log-uniform} is TensorFlow's
 * Zipfian candidate sampler, which ComiRec's own TF code used, over items ranked by training popularity, and
 * carries the logQ correction.
 */
public final class NegativeSampler {
    /** The sampler kinds accepted by {@code --sampler}. */
    public static final String UNIFORM = "uniform";
    public static final String LOG_UNIFORM = "log-uniform";

    private final String kind;
    private final int numItems;
    private final int[] byRank;     // log-uniform: rank -> item id
    private final double[] logQ;    // log-uniform: item id -> log probability

    private NegativeSampler(String kind, int numItems, int[] byRank, double[] logQ) {
        this.kind = kind;
        this.numItems = numItems;
        this.byRank = byRank;
        this.logQ = logQ;
    }

    public static NegativeSampler uniform(int numItems) {
        return new NegativeSampler(UNIFORM, numItems, null, null);
    }

    /** Log-uniform over items ordered by descending {@code counts[id]} (ties by id). */
    public static NegativeSampler logUniform(long[] counts) {
        int n = counts.length - 1;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i + 1;
        java.util.Arrays.sort(order, (a, b) -> counts[b] != counts[a] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
        int[] byRank = new int[n];
        double[] logQ = new double[n + 1];
        double norm = Math.log(n + 1.0);
        for (int r = 0; r < n; r++) {
            byRank[r] = order[r];
            logQ[order[r]] = Math.log((Math.log(r + 2.0) - Math.log(r + 1.0)) / norm);
        }
        return new NegativeSampler(LOG_UNIFORM, n, byRank, logQ);
    }

    public static NegativeSampler create(String kind, long[] counts) {
        return switch (kind) {
            case UNIFORM -> uniform(counts.length - 1);
            case LOG_UNIFORM -> logUniform(counts);
            default -> throw new IllegalArgumentException("unknown sampler '" + kind + "' (uniform|log-uniform)");
        };
    }

    public String kind() {
        return kind;
    }

    /** {@code n} item ids in 1..numItems. */
    public int[] sample(Rng rng, int n) {
        int[] out = new int[n];
        if (byRank == null) {
            for (int i = 0; i < n; i++) out[i] = 1 + rng.nextInt(numItems);
        } else {
            double norm = Math.log(numItems + 1.0);
            for (int i = 0; i < n; i++) {
                int r = (int) Math.floor(Math.exp(rng.nextDouble() * norm)) - 1;
                out[i] = byRank[Math.min(Math.max(r, 0), numItems - 1)];
            }
        }
        return out;
    }

    /** log Q(id) for the logQ correction, or null when the correction is a constant (uniform). */
    public double[] logQ() {
        return logQ;
    }
}
