package io.eimf.flink.cluster;

import io.eimf.llm.embed.EmbeddingModelName;
import io.eimf.llm.embed.TextEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Mean of the text embeddings of a user's prompt-visible items (each occurrence counts), computed with llm-service's
 * in-process {@link TextEmbedder}, so profiles and interest embeddings share one model. The model is loaded in
 * {@link #open} of every task and each task caches the embeddings of the items it has seen.
 */
public final class TextFeatures extends ProfileFeatures {
    private final String model;
    private transient TextEmbedder embedder;
    private transient Map<Integer, float[]> cache;

    /** @param model an llm-service embedding model name, e.g. {@code all-minilm-l6-v2-q} */
    public TextFeatures(Path itemsFile, String model) {
        super(itemsFile);
        this.model = EmbeddingModelName.parse(model).id();
    }

    @Override
    public int dimension() {
        return 384; // every model llm-service ships is 384-d; open() checks it
    }

    @Override
    public String embeddingModel() {
        return model;
    }

    @Override
    public void open(OpenContext ctx) throws Exception {
        super.open(ctx);
        embedder = TextEmbedder.create(model);
        if (embedder.dimension() != dimension()) {
            throw new IllegalStateException(model + " gives " + embedder.dimension() + "-d vectors, expected "
                    + dimension());
        }
        cache = new HashMap<>();
    }

    @Override
    protected float[] profile(int[] visible) {
        // Embed this user's unseen items in one batch: the model is far faster per text in batches.
        List<Integer> missing = new ArrayList<>();
        for (int id : visible) {
            if (!cache.containsKey(id) && !missing.contains(id)) missing.add(id);
        }
        if (!missing.isEmpty()) {
            List<String> texts = new ArrayList<>(missing.size());
            for (int id : missing) texts.add(items.get(id - 1).text());
            List<float[]> vs = embedder.embedAll(texts);
            for (int i = 0; i < missing.size(); i++) cache.put(missing.get(i), vs.get(i));
        }
        double[] sum = new double[dimension()];
        for (int id : visible) {
            float[] e = cache.get(id);
            for (int i = 0; i < sum.length; i++) sum[i] += e[i];
        }
        float[] v = new float[sum.length];
        for (int i = 0; i < v.length; i++) v[i] = (float) (sum[i] / visible.length);
        return v;
    }
}
