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

    /** Wraps an in-memory model (e.g. right after training). */
    public Recommender(IbimModel model, ItemVocabulary vocabulary, ModelDirectory.Descriptor descriptor) {
        if (vocabulary.size() != model.config().numItems()) {
            throw new IllegalArgumentException("vocabulary and model disagree on the number of items");
        }
        this.model = model;
        this.vocabulary = vocabulary;
        this.descriptor = descriptor;
        this.retriever = new TopNRetriever(model.itemEmbeddings().value());
        float[] items = InterestForward.floats(model.itemEmbeddings().value());
        this.extractor = InterestForward.of(model, items);
        this.scorer = new ItemScorer(items, model.config().dim());
    }

    /** Loads an exported model directory (see {@link ModelDirectory}); the dataset is not needed. */
    public static Recommender load(Path modelDir) throws IOException {
        ModelDirectory.Loaded l = ModelDirectory.read(modelDir);
        return new Recommender(l.model(), l.vocabulary(), l.descriptor());
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

    /** Recommends from dense item ids (1..numItems). */
    public Result recommendDense(int[] history, int topN) {
        check(history, topN);
        int k = model.config().interests();
        int d = model.config().dim();
        float[] iv = new float[k * d];
        extractor.interests(history, iv);
        float[][] interests = new float[k][];
        for (int kk = 0; kk < k; kk++) interests[kk] = java.util.Arrays.copyOfRange(iv, kk * d, (kk + 1) * d);
        return result(scorer.retrieve(iv, k, topN), interests, history.length);
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
