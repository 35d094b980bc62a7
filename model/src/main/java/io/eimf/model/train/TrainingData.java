package io.eimf.model.train;

import io.eimf.core.dataset.EvaluationCase;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.model.backbone.HistoryAlignment;
import io.eimf.model.backbone.HistoryBatch;
import io.eimf.model.baseline.MostPopular;
import io.eimf.model.nn.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * What training reads from a prepared dataset: training sequences with their dense user ids, validation and test
 * cases, item counts. An example is a cut k in [4, len) (in [1, len) for sequences of at most 4 items): the target
 * is item k and the history the up-to-maxLen items before it. {@link #PER_USER} batches are drawn as ComiRec's
 * DataIterator does (distinct random users, then a random cut); {@link #PER_INTERACTION} batches draw every
 * (user, cut) pair with equal chance, so a long sequence gives examples in proportion to its length.
 */
public final class TrainingData {
    /** Examples per batch: distinct users, one random cut each (ComiRec's DataIterator; the default). */
    public static final String PER_USER = "per-user";
    /** Examples per batch: cuts uniform over every training target position, with replacement. */
    public static final String PER_INTERACTION = "per-interaction";
    /** The example schemes. */
    public static final List<String> EXAMPLES = List.of(PER_USER, PER_INTERACTION);
    private final int numItems;
    private final int[] users;
    private final int[][] sequences;
    private final List<EvaluationCase> valid;
    private final List<EvaluationCase> test;
    private final long[] counts;
    private final long[] cutsBefore;   // cutsBefore[i] = cuts of sequences 0..i (per-interaction draws)

    public TrainingData(int numItems, int[] users, int[][] sequences, List<EvaluationCase> valid,
                        List<EvaluationCase> test) {
        if (users.length != sequences.length) throw new IllegalArgumentException("users and sequences differ in length");
        if (sequences.length == 0) throw new IllegalArgumentException("no training sequences");
        this.numItems = numItems;
        this.users = users;
        this.sequences = sequences;
        this.valid = valid;
        this.test = test;
        List<int[]> seqs = new ArrayList<>(List.of(sequences));
        this.counts = MostPopular.counts(seqs, numItems);
        this.cutsBefore = new long[sequences.length];
        long c = 0;
        for (int i = 0; i < sequences.length; i++) {
            c += sequences[i].length - firstCut(sequences[i]);
            cutsBefore[i] = c;
        }
    }

    private static int firstCut(int[] s) {
        return s.length > 4 ? 4 : 1;
    }

    /** Reads a prepared dataset's training sequences (at least 2 items) and its VALID/TEST cases. */
    public static TrainingData of(PreparedDataset ds) {
        List<Integer> u = new ArrayList<>();
        List<int[]> s = new ArrayList<>();
        for (UserSequence seq : ds.sequences()) {
            int[] t = seq.trainingItems();
            if (t.length >= 2) {
                u.add(seq.user());
                s.add(t);
            }
        }
        return new TrainingData(ds.numItems(), u.stream().mapToInt(Integer::intValue).toArray(),
                s.toArray(new int[0][]), ds.evaluationCases(SplitRole.VALID), ds.evaluationCases(SplitRole.TEST));
    }

    public int numItems() {
        return numItems;
    }

    public int numTrainUsers() {
        return users.length;
    }

    public List<EvaluationCase> valid() {
        return valid;
    }

    public List<EvaluationCase> test() {
        return test;
    }

    /** Training interactions per item id. */
    public long[] counts() {
        return counts;
    }

    /** One training batch: dense user ids, the history batch and the targets. */
    public record Batch(int[] users, HistoryBatch history, int[] targets) {}

    /**
     * Draws a batch of {@code examples} ({@link #PER_USER} or {@link #PER_INTERACTION}), histories cut to
     * {@code maxLen} and placed as {@code alignment} says.
     */
    public Batch sample(Rng rng, int batchSize, int maxLen, HistoryAlignment alignment, String examples) {
        return switch (examples) {
            case PER_USER -> samplePerUser(rng, batchSize, maxLen, alignment);
            case PER_INTERACTION -> samplePerInteraction(rng, batchSize, maxLen, alignment);
            default -> throw new IllegalArgumentException("unknown examples '" + examples + "' (" + String.join("|", EXAMPLES) + ")");
        };
    }

    /** A per-interaction batch: each example's (user, cut) uniform over all training cuts, with replacement. */
    private Batch samplePerInteraction(Rng rng, int batchSize, int maxLen, HistoryAlignment alignment) {
        long total = cutsBefore[cutsBefore.length - 1];
        int[][] seqs = new int[batchSize][];
        int[] cut = new int[batchSize];
        int[] targets = new int[batchSize];
        int[] us = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            long x = rng.nextLong(total);                          // the x-th cut overall
            int u = java.util.Arrays.binarySearch(cutsBefore, x + 1);
            if (u < 0) u = -u - 1;                                   // first sequence whose running count exceeds x
            int[] s = sequences[u];
            int k = firstCut(s) + (int) (x - (u == 0 ? 0 : cutsBefore[u - 1]));
            seqs[i] = s;
            cut[i] = k;
            targets[i] = s[k];
            us[i] = users[u];
        }
        return new Batch(us, HistoryBatch.ofSlices(seqs, cut, maxLen, alignment), targets);
    }

    /** A per-user batch (ComiRec's DataIterator): users without replacement when there are enough. */
    private Batch samplePerUser(Rng rng, int batchSize, int maxLen, HistoryAlignment alignment) {
        int n = sequences.length;
        int[] pick = new int[batchSize];
        if (batchSize <= n) {
            // partial Fisher-Yates over a sparse swap map keeps this O(batch)
            java.util.HashMap<Integer, Integer> swaps = new java.util.HashMap<>();
            for (int i = 0; i < batchSize; i++) {
                int j = i + rng.nextInt(n - i);
                int vj = swaps.getOrDefault(j, j);
                int vi = swaps.getOrDefault(i, i);
                swaps.put(j, vi);
                pick[i] = vj;
            }
        } else {
            for (int i = 0; i < batchSize; i++) pick[i] = rng.nextInt(n);
        }
        int[][] seqs = new int[batchSize][];
        int[] cut = new int[batchSize];
        int[] targets = new int[batchSize];
        int[] us = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            int[] s = sequences[pick[i]];
            int lo = firstCut(s);
            int k = lo + rng.nextInt(s.length - lo);
            seqs[i] = s;
            cut[i] = k;
            targets[i] = s[k];
            us[i] = users[pick[i]];
        }
        return new Batch(us, HistoryBatch.ofSlices(seqs, cut, maxLen, alignment), targets);
    }
}
