package io.eimf.model.train;

import io.eimf.model.nn.Rng;

/**
 * Draws the negatives shared by a whole batch for the sampled softmax. {@code uniform} (the default, what the
 * reference PyTorch numbers use) draws item ids uniformly with replacement; {@code uniform-distinct} draws them
 * uniformly without replacement (TensorFlow's uniform candidate sampler with {@code unique=True}; all items when
 * more are asked for than exist); {@code log-uniform} is TensorFlow's Zipfian candidate sampler, which ComiRec's own
 * TF code used, over items ranked by training popularity, and carries the logQ correction.
 */
public final class NegativeSampler {
    /** The sampler kinds accepted by {@code --sampler}. */
    public static final String UNIFORM = "uniform";
    public static final String UNIFORM_DISTINCT = "uniform-distinct";
    public static final String LOG_UNIFORM = "log-uniform";

    private final String kind;
    private final int numItems;
    private final int[] byRank;     // log-uniform: rank -> item id
    private final double[] logQ;    // log-uniform: item id -> log probability
    private final int[] pool;       // uniform-distinct: scratch permutation of 1..numItems

    private NegativeSampler(String kind, int numItems, int[] byRank, double[] logQ) {
        this.kind = kind;
        this.numItems = numItems;
        this.byRank = byRank;
        this.logQ = logQ;
        this.pool = UNIFORM_DISTINCT.equals(kind) ? new int[numItems] : null;
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
            case UNIFORM_DISTINCT -> new NegativeSampler(UNIFORM_DISTINCT, counts.length - 1, null, null);
            case LOG_UNIFORM -> logUniform(counts);
            default -> throw new IllegalArgumentException(
                    "unknown sampler '" + kind + "' (uniform|uniform-distinct|log-uniform)");
        };
    }

    public String kind() {
        return kind;
    }

    /** {@code n} item ids in 1..numItems ({@code min(n, numItems)} distinct ones for uniform-distinct). */
    public int[] sample(Rng rng, int n) {
        if (pool != null) return distinct(rng, Math.min(n, numItems));
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

    // Partial Fisher-Yates over a fresh identity permutation: the first m slots are a uniform m-subset, in
    // random order. Resetting the pool each call keeps a draw a function of the RNG state alone (checkpoints).
    private int[] distinct(Rng rng, int m) {
        for (int i = 0; i < numItems; i++) pool[i] = i + 1;
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(numItems - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return java.util.Arrays.copyOf(pool, m);
    }

    /** log Q(id) for the logQ correction, or null when the correction is a constant (uniform). */
    public double[] logQ() {
        return logQ;
    }
}
