package io.eimf.model.inference;

import io.eimf.model.export.ItemVocabulary;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.ibim.IbimModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Serving API of an exported IBIM model: a history (raw or dense item ids, oldest first) becomes K interests, and
 * the top-N items with their score and the interest that retrieved each. Uses the same {@link TopNRetriever} as
 * evaluation, so served rankings are exactly the evaluated ones. One request runs in plain Java
 * ({@link InterestForward}, {@link ItemScorer}) on float copies of the weights taken at construction; the batched
 * ND4J path evaluation uses stays available as {@link #recommendDenseNd4j} and gives the same ranking (tested).
 * Thread-safe: weights are read-only after loading and scratch buffers are per thread.
 *
 * <pre>{@code
 * Recommender r = Recommender.load(Path.of("runs/sa/model"));
 * Recommender.Result res = r.recommend(List.of("50", "172", "181"), 10);
 * }</pre>
 */
public final class Recommender {
    private final IbimModel model;
    private final ItemVocabulary vocabulary;
    private final ModelDirectory.Descriptor descriptor;
    private final TopNRetriever retriever;
    private final InterestForward extractor;
    private final ItemScorer scorer;
    /** The item table as floats [numItems+1, d]; the ANN index walks it and candidates are re-scored from it. */
    private final float[] items;
    /** Null: exact retrieval only. */
    private final AnnIndex index;
    private final ThreadLocal<AnnScratch> annScratch;

    /** Wraps an in-memory model (e.g. right after training); exact retrieval. */
    public Recommender(IbimModel model, ItemVocabulary vocabulary, ModelDirectory.Descriptor descriptor) {
        this(model, vocabulary, descriptor, null);
    }

    /**
     * Wraps an in-memory model with an approximate index (null: exact retrieval). With an index, {@link #recommend}
     * gathers candidates from it and ranks them exactly; {@link #recommendDenseExact} stays available.
     */
    public Recommender(IbimModel model, ItemVocabulary vocabulary, ModelDirectory.Descriptor descriptor, AnnIndex index) {
        if (vocabulary.size() != model.config().numItems()) {
            throw new IllegalArgumentException("vocabulary and model disagree on the number of items");
        }
        this.model = model;
        this.vocabulary = vocabulary;
        this.descriptor = descriptor;
        this.retriever = new TopNRetriever(model.itemEmbeddings().value());
        this.items = InterestForward.floats(model.itemEmbeddings().value());
        this.extractor = InterestForward.of(model, items);
        this.scorer = new ItemScorer(items, model.config().dim());
        this.index = index == null ? null : index.attach(items);
        int n = model.config().numItems();
        this.annScratch = ThreadLocal.withInitial(() -> new AnnScratch(n));
    }

    /**
     * Loads an exported model directory (see {@link ModelDirectory}); the dataset is not needed. Uses its ANN index
     * ({@value AnnIndex#FILE}, verified like the weights) when model.json lists one, else exact retrieval.
     */
    public static Recommender load(Path modelDir) throws IOException {
        return load(modelDir, true);
    }

    /** As {@link #load(Path)}; {@code useIndex=false} ignores any index (exact retrieval, nothing read). */
    public static Recommender load(Path modelDir, boolean useIndex) throws IOException {
        ModelDirectory.Loaded l = ModelDirectory.read(modelDir);
        AnnIndex index = useIndex ? ModelDirectory.readIndex(modelDir, l.descriptor()) : null;
        return new Recommender(l.model(), l.vocabulary(), l.descriptor(), index);
    }

    /** The same model with another index (null: exact); shares the weights' copies. */
    public Recommender withIndex(AnnIndex other) {
        return new Recommender(model, vocabulary, descriptor, other);
    }

    /** The index in use, or null for exact retrieval. */
    public AnnIndex index() {
        return index;
    }

    /** The item table as floats [numItems+1, d] (row 0 padding); read-only by contract. */
    public float[] itemTable() {
        return items;
    }

    /** How items are retrieved, for logs and /healthz-style descriptions. */
    public String retrieval() {
        if (index == null) return "exact";
        AnnIndex.Params p = index.params();
        return "ann (hnsw M=" + p.m() + " efConstruction=" + p.efConstruction() + ", " + p.efSearch()
                + " candidates per interest, exact re-ranking)";
    }

    /** One recommended item. */
    public record Item(int id, String rawId, String title, float score, int interest) {}

    /**
     * A recommendation.
     *
     * @param items best first
     * @param interests the K interest vectors [K][d]
     * @param unknownIds raw ids of the history that are not in the catalogue (ignored)
     * @param historyUsed how many history items the model read (at most maxLen, the most recent)
     */
    public record Result(List<Item> items, float[][] interests, List<String> unknownIds, int historyUsed) {}

    public ModelDirectory.Descriptor descriptor() {
        return descriptor;
    }

    public ItemVocabulary vocabulary() {
        return vocabulary;
    }

    public int maxLen() {
        return model.config().maxLen();
    }

    /** Recommends from raw item ids; unknown ids are skipped and reported. Throws if none is known. */
    public Result recommend(List<String> rawHistory, int topN) {
        List<String> unknown = new ArrayList<>();
        int[] dense = new int[rawHistory.size()];
        int n = 0;
        for (String raw : rawHistory) {
            int id = vocabulary.dense(raw);
            if (id < 0) unknown.add(raw);
            else dense[n++] = id;
        }
        if (n == 0) throw new IllegalArgumentException("none of the history's item ids is in the model's catalogue: " + unknown);
        Result r = recommendDense(java.util.Arrays.copyOf(dense, n), topN);
        return new Result(r.items(), r.interests(), List.copyOf(unknown), r.historyUsed());
    }

    /** Recommends from dense item ids (1..numItems): through the index when there is one, else exactly. */
    public Result recommendDense(int[] history, int topN) {
        return index == null ? recommendDenseExact(history, topN) : recommendDenseAnn(history, topN);
    }

    /** Exact retrieval over the whole catalogue, index or not. */
    public Result recommendDenseExact(int[] history, int topN) {
        check(history, topN);
        int k = model.config().interests();
        float[] iv = new float[k * model.config().dim()];
        extractor.interests(history, iv);
        return result(scorer.retrieve(iv, k, topN), split(iv, k), history.length);
    }

    /**
     * Retrieval through the index: each interest's candidates from the graph, then every candidate scored exactly as
     * {@link ItemScorer} does (same float operations in the same order, best interest by strict >, ties to the lower
     * id), so with full candidate recall this is the exact answer bit for bit. Falls back to exact when the
     * candidates are fewer than the list asked for.
     */
    public Result recommendDenseAnn(int[] history, int topN) {
        if (index == null) throw new IllegalStateException("this model has no ANN index");
        check(history, topN);
        int k = model.config().interests();
        int d = model.config().dim();
        float[] iv = new float[k * d];
        extractor.interests(history, iv);
        int n = Math.min(topN, vocabulary.size());
        AnnScratch s = annScratch.get();
        if (s.cand.length < index.maxCandidates(k)) s.cand = new int[index.maxCandidates(k)];
        if (++s.stamp == Integer.MAX_VALUE) {
            java.util.Arrays.fill(s.seen, 0);
            s.stamp = 1;
        }
        int c;
        try {
            c = index.candidates(iv, k, s.cand, s.seen, s.stamp);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (c < n) return result(scorer.retrieve(iv, k, topN), split(iv, k), history.length);
        return result(rank(iv, k, d, s.cand, c, n), split(iv, k), history.length);
    }

    /** Exact scores of the candidates, best-first top-n with the exact path's order (score desc, id asc). */
    private TopNRetriever.Ranked rank(float[] iv, int k, int d, int[] cand, int c, int n) {
        int[] ids = new int[n];
        float[] sc = new float[n];
        int[] ks = new int[n];
        int size = 0;
        for (int ci = 0; ci < c; ci++) {
            int item = cand[ci];
            int off = item * d;
            float best = 0f;
            int arg = 0;
            for (int kk = 0; kk < k; kk++) {
                int q = kk * d;
                float acc = 0f;
                for (int t = 0; t < d; t++) acc += iv[q + t] * items[off + t];
                if (kk == 0 || acc > best) {
                    best = acc;
                    arg = kk;
                }
            }
            if (size == n && !(best > sc[n - 1] || (best == sc[n - 1] && item < ids[n - 1]))) continue;
            int pos = size == n ? n - 1 : size++;
            while (pos > 0 && (best > sc[pos - 1] || (best == sc[pos - 1] && item < ids[pos - 1]))) {
                ids[pos] = ids[pos - 1];
                sc[pos] = sc[pos - 1];
                ks[pos] = ks[pos - 1];
                pos--;
            }
            ids[pos] = item;
            sc[pos] = best;
            ks[pos] = arg;
        }
        return new TopNRetriever.Ranked(ids, sc, ks);
    }

    private float[][] split(float[] iv, int k) {
        int d = model.config().dim();
        float[][] interests = new float[k][];
        for (int kk = 0; kk < k; kk++) interests[kk] = java.util.Arrays.copyOfRange(iv, kk * d, (kk + 1) * d);
        return interests;
    }

    /** Per-thread candidate buffer and de-duplication stamps. */
    private static final class AnnScratch {
        final int[] seen;
        int[] cand = new int[0];
        int stamp;

        AnnScratch(int numItems) {
            seen = new int[numItems + 1];
        }
    }

    /**
     * The same recommendation through the batched ND4J forward and {@link TopNRetriever} that evaluation runs; for
     * equivalence tests and {@code eimf bench serve}'s reference row, not for serving.
     */
    public Result recommendDenseNd4j(int[] history, int topN) {
        check(history, topN);
        INDArray interests = model.interests(model.batch(new int[][] {history}));
        TopNRetriever.Ranked ranked = retriever.retrieve(interests, topN)[0];
        return result(ranked, interests.reshape(interests.size(1), interests.size(2)).toFloatMatrix(), history.length);
    }

    private void check(int[] history, int topN) {
        if (history.length == 0) throw new IllegalArgumentException("history is empty");
        if (topN < 1) throw new IllegalArgumentException("top-N must be positive");
        for (int id : history) {
            if (id < 1 || id > vocabulary.size()) {
                throw new IllegalArgumentException("item id " + id + " outside 1.." + vocabulary.size());
            }
        }
    }

    private Result result(TopNRetriever.Ranked ranked, float[][] interests, int historyLength) {
        List<Item> items = new ArrayList<>(ranked.items().length);
        for (int i = 0; i < ranked.items().length; i++) {
            int id = ranked.items()[i];
            items.add(new Item(id, vocabulary.raw(id), vocabulary.title(id), ranked.scores()[i], ranked.interest()[i]));
        }
        return new Result(items, interests, List.of(), Math.min(historyLength, model.config().maxLen()));
    }
}
